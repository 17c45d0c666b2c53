// The C API of the Debian package that provides cblas.h, seen from Swift.
#include <cblas.h>
