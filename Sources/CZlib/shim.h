// The C API of the Debian package that provides zlib.h, seen from Swift.
#include <zlib.h>
