// The C API of the Debian package that provides libsvm/svm.h, seen from Swift.
#include <libsvm/svm.h>
