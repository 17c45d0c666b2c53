// The C API of the Debian package that provides xgboost/c_api.h, seen from Swift.
#include <xgboost/c_api.h>
