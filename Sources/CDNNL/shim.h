// The C API of the Debian package that provides dnnl.h, seen from Swift.
#include <dnnl.h>
#include <dnnl_debug.h>
