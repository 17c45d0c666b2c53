// The C API of the Debian package that provides turbojpeg.h, seen from Swift.
#include <turbojpeg.h>
