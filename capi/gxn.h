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

/* ---- Scoring: the order-violation similarity --------------------------------------------
 * Embedding rows hold 2*D floats: the abstract part x_h, then the grounded part x_l.
 * s(t, v) = -||max(0, v - t)||^2 and s*(t, v) = lambda*s(t_h, v_h) + (1 - lambda)*s(t_l, v_l),
 * with v an image and t a caption embedding. Scores are <= 0; higher is more similar. */
typedef struct gxn_scorer gxn_scorer;

/* Creates a scorer. lambda in [0, 1]; threads = 0 for all cores; isa = "auto", "portable",
 * "avx2" or "avx512" (NULL = "auto"). On success *out owns a scorer the caller frees with
 * gxn_scorer_free. */
GXN_API int gxn_scorer_new(float lambda, int threads, const char* isa, gxn_scorer** out);
GXN_API void gxn_scorer_free(gxn_scorer* scorer);

/* The instruction set the scorer's kernel uses ("portable", "avx2" or "avx512"). Static storage. */
GXN_API const char* gxn_scorer_isa(const gxn_scorer* scorer);

/* Fills out (n_images x n_texts, row-major, caller-allocated) with s*(texts[j], images[i]).
 * images is n_images x dim2, texts n_texts x dim2, both row-major and contiguous. */
GXN_API int gxn_score_matrix(const gxn_scorer* scorer, const float* images, int64_t n_images, const float* texts,
                             int64_t n_texts, int64_t dim2, float* out);

/* The k best candidates for every query, best first, without building the full matrix.
 * gxn_top_images: queries are captions, candidates images; gxn_top_texts: the reverse.
 * out_index (int64) and out_score (float) are caller-allocated, n_queries x min(k, n_candidates);
 * *out_k receives min(k, n_candidates). */
GXN_API int gxn_top_images(const gxn_scorer* scorer, const float* texts, int64_t n_texts, const float* images,
                           int64_t n_images, int64_t dim2, int64_t k, int64_t* out_index, float* out_score,
                           int64_t* out_k);
GXN_API int gxn_top_texts(const gxn_scorer* scorer, const float* images, int64_t n_images, const float* texts,
                          int64_t n_texts, int64_t dim2, int64_t k, int64_t* out_index, float* out_score,
                          int64_t* out_k);

/* ---- Evaluation: the VSE++ cross-modal retrieval protocol ---------------------------------
 * scores is n_images x n_captions (row-major), 5 captions per image: caption j belongs to
 * image j / 5. A rank counts the scores strictly greater than the true one (ties favour it). */
typedef struct gxn_recall {
  double r1, r5, r10; /* percent of queries whose true match ranks within the top 1, 5, 10 */
  double medr, meanr; /* median and mean rank, 1-based */
} gxn_recall;

typedef struct gxn_retrieval_metrics {
  gxn_recall i2t; /* image -> text: the best rank among an image's five captions */
  gxn_recall t2i; /* text -> image */
  double rsum;    /* the six recalls added */
} gxn_retrieval_metrics;

/* protocol: "all", "1k5" (COCO 1K: the mean of five 1000-image folds) or "5k" (NULL = "all");
 * the last two need exactly 5000 images. Writes *out. */
GXN_API int gxn_evaluate_scores(const float* scores, int64_t n_images, int64_t n_captions, const char* protocol,
                                gxn_retrieval_metrics* out);

/* ---- .npy files ---------------------------------------------------------------------------
 * A matrix read from a file, owned by gxn: free it with gxn_matrix_free. */
typedef struct gxn_matrix gxn_matrix;

/* An embeddings file, float32 or float16 of shape (N, 2, D), as an N x 2D matrix. */
GXN_API int gxn_read_embeddings(const char* path, gxn_matrix** out);
/* A 2-D float32 or float16 .npy file (e.g. a score matrix). */
GXN_API int gxn_read_npy_matrix(const char* path, gxn_matrix** out);
GXN_API int64_t gxn_matrix_rows(const gxn_matrix* matrix);
GXN_API int64_t gxn_matrix_cols(const gxn_matrix* matrix);
/* rows x cols floats, row-major; valid until gxn_matrix_free. */
GXN_API const float* gxn_matrix_data(const gxn_matrix* matrix);
GXN_API void gxn_matrix_free(gxn_matrix* matrix);

/* Write n rows of dim2 = 2*D floats as an (n, 2, D) float32 file, or a rows x cols matrix;
 * atomically: a failure leaves any existing file untouched. */
GXN_API int gxn_write_embeddings(const char* path, const float* rows, int64_t n, int64_t dim2);
GXN_API int gxn_write_npy_matrix(const char* path, const float* data, int64_t rows, int64_t cols);

/* ---- Index: a FAISS shortlist rescored exactly with s* -------------------------------------
 * side 0 indexes images (queries are captions), side 1 indexes captions (queries are images). */
typedef struct gxn_index gxn_index;

GXN_API int gxn_index_build(const float* rows, int64_t n, int64_t dim2, float lambda, int side, gxn_index** out);
GXN_API int gxn_index_load(const char* path, gxn_index** out);
GXN_API int gxn_index_save(const gxn_index* index, const char* path);
GXN_API int64_t gxn_index_size(const gxn_index* index);
GXN_API void gxn_index_free(gxn_index* index);

/* The k best indexed rows for each query, best first, among `shortlist` FAISS candidates
 * rescored exactly (0 = max(10k, 100)). out_index/out_score: n_queries x min(k, size),
 * caller-allocated; *out_k = min(k, size); a slot with no candidate holds index -1. */
GXN_API int gxn_index_search(const gxn_index* index, const float* queries, int64_t n_queries, int64_t dim2, int64_t k,
                             int64_t shortlist, int64_t* out_index, float* out_score, int64_t* out_k);

#ifdef __cplusplus
}
#endif

#endif /* GXN_H */
