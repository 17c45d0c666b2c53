// The C API (v3) of oneDNN 3.2, seen from Swift: the headers and library that scripts/setup.sh unpacks
// into .dependencies/onednn-3.2 from Intel's PyPI wheels; Package.swift puts its include/ first on the
// header search path and links lib/libdnnl.so.3 by rpath. The version check below keeps another
// oneDNN on the system (Debian's libdnnl-dev 2.6 in /usr/include) from ever being compiled against.
#if __has_include(<oneapi/dnnl/dnnl.h>)
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>
#if DNNL_VERSION_MAJOR != 3 || DNNL_VERSION_MINOR != 2
#error "the engine needs oneDNN 3.2 from .dependencies/onednn-3.2, but another oneDNN's headers were found: run scripts/setup.sh"
#endif
#else
#error "oneDNN 3.2 is missing from .dependencies/onednn-3.2: run scripts/setup.sh"
#endif
