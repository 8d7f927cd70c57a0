// SwiftPM needs one source file per C target; the declaration in include/ is all there is.
#include "CFuzzDriver.h"
