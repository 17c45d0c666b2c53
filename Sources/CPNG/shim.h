// The C API of the Debian package that provides png.h, seen from Swift.
#include <png.h>
