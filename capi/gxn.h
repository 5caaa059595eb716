/* gxn.h: the stable C API of gxn (text-image retrieval, the GXN model).
 *
 * Conventions, for every function here:
 *  - Functions return GXN_OK (0) or a gxn_status code; on failure, gxn_last_error() gives a
 *    message for the calling thread, valid until that thread's next gxn call.
 *  - Handles are opaque; each *_free accepts NULL. Memory that gxn returns is freed by gxn.
 *  - Matrices are row-major float32; sizes are int64_t; truth values are int (0 or 1).
 */
#ifndef GXN_H
#define GXN_H

#include <stddef.h>
#include <stdint.h>

#if defined(GXN_BUILDING_C_API)
#define GXN_API __attribute__((visibility("default")))
#else
#define GXN_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gxn_status {
  GXN_OK = 0,
  GXN_ERR_INVALID_ARGUMENT = 1,
  GXN_ERR_NOT_FOUND = 2,
  GXN_ERR_IO = 3,
  GXN_ERR_FORMAT = 4,
  GXN_ERR_SHAPE = 5,
  GXN_ERR_NON_FINITE = 6,
  GXN_ERR_UNSUPPORTED = 7,
  GXN_ERR_INTERNAL = 8
} gxn_status;

/* The library's version, "MAJOR.MINOR.PATCH". Static storage; never free it. */
GXN_API const char* gxn_version(void);

/* The message of the calling thread's last failed call ("" if none). */
GXN_API const char* gxn_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* GXN_H */
