// glibc's allocator controls (malloc_trim), which the Glibc module does not export. Used by
// stratify-bench only, to hand freed heap back to the kernel before it resets the peak-RSS
// counter, so one measurement does not inherit another's freed-but-kept pages.
#include <malloc.h>
