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
  GXN_ERR_INTERNAL = 8,
  GXN_ERR_CANCELLED = 9 /* the caller's callback asked to stop */
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

/* The instruction set the scorer's kernel uses ("portable", "avx2" or "avx512"; "cuda" for a
 * scorer on a GPU). Static storage. */
GXN_API const char* gxn_scorer_isa(const gxn_scorer* scorer);

/* Creates a scorer on a device: "cpu" (NULL: as gxn_scorer_new), or "cuda" / "cuda:N" for the
 * GPU scorer on CUDA device 0 / N (threads and isa are then not used). The same calls below,
 * the same results. GXN_ERR_UNSUPPORTED when this libgxn_c was built without CUDA or no CUDA
 * device is present (the message says which); on the GPU, top-k takes k <= 4096 unless the
 * candidates are fewer. */
GXN_API int gxn_scorer_new_on(float lambda, int threads, const char* isa, const char* device, gxn_scorer** out);

/* The scorer's device: "cpu" or "cuda:N". Valid while the scorer lives. */
GXN_API const char* gxn_scorer_device(const gxn_scorer* scorer);

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

/* ---- Index: exact s* over the few inverted lists (FAISS k-means) nearest each query ------
 * A flat index (kind 1) is one list of every item: exact search.
 * side 0 indexes images (queries are captions), side 1 indexes captions (queries are images).
 * Each item has a 64-bit id (>= 0; by default its row number) and, optionally, a text payload
 * (e.g. its file name) kept in the index file. Searches may run on one index from many threads
 * at once; gxn_index_add and gxn_index_remove need the index to themselves. */
typedef struct gxn_index gxn_index;

/* Builds with ids 0..n-1 and no payloads (see gxn_index_create). */
GXN_API int gxn_index_build(const float* rows, int64_t n, int64_t dim2, float lambda, int side, gxn_index** out);

typedef struct gxn_index_options {
  size_t size;   /* sizeof(gxn_index_options), set by gxn_index_default_options */
  float lambda;  /* the s* weight of x_h, in [0, 1] (default 0.5) */
  int side;      /* 0: images (default), 1: captions */
  int kind;      /* 0 = flat below 50,000 items, IVF from there (default); 1 flat; 2 IVF */
  int64_t nlist; /* IVF lists; 0 = chosen from n (default) */
} gxn_index_options;
GXN_API void gxn_index_default_options(gxn_index_options* options);

/* Builds an index over n rows of dim2 floats. ids: NULL for 0..n-1, else n distinct ids >= 0.
 * payloads: NULL for none, else n NUL-terminated strings of at most 65536 bytes (NULL entries
 * count as ""). A bad id or payload is refused naming its index. */
GXN_API int gxn_index_create(const float* rows, int64_t n, int64_t dim2, const int64_t* ids,
                             const char* const* payloads, const gxn_index_options* options, gxn_index** out);

/* Adds n items: ids NULL continues after the largest id held; payloads as gxn_index_create.
 * On failure nothing is added. */
GXN_API int gxn_index_add(gxn_index* index, const float* rows, int64_t n, int64_t dim2, const int64_t* ids,
                          const char* const* payloads);
/* Removes the items with these ids. An id the index does not hold (GXN_ERR_NOT_FOUND, naming it)
 * or removing every item (GXN_ERR_INVALID_ARGUMENT) removes nothing. */
GXN_API int gxn_index_remove(gxn_index* index, const int64_t* ids, int64_t n);
/* *out = the payload of item `id` ("" when it has none), valid until the index changes or is
 * freed; GXN_ERR_NOT_FOUND for an id the index does not hold. */
GXN_API int gxn_index_payload(const gxn_index* index, int64_t id, const char** out);
/* The ids of the items, in the index's order, into out (caller-allocated, gxn_index_size long). */
GXN_API int gxn_index_ids(const gxn_index* index, int64_t* out);
GXN_API int gxn_index_load(const char* path, gxn_index** out);
GXN_API int gxn_index_save(const gxn_index* index, const char* path);
GXN_API int64_t gxn_index_size(const gxn_index* index);
GXN_API void gxn_index_free(gxn_index* index);

/* The k best items for each query by exact s*, best first (ties: the lower id), among the items
 * of the IVF lists it visits: the default number (4, or nlist / 250 rounded up if more), then more, nearest
 * first, until they hold at least `shortlist` items (0 = no minimum; size = exact search).
 * A flat index is searched exactly. out_index (their ids) and out_score:
 * n_queries x min(k, size), caller-allocated; *out_k = min(k, size); a slot with no candidate
 * holds id -1. */
GXN_API int gxn_index_search(const gxn_index* index, const float* queries, int64_t n_queries, int64_t dim2, int64_t k,
                             int64_t shortlist, int64_t* out_index, float* out_score, int64_t* out_k);

/* Where gxn_index_search runs. "cuda" / "cuda:N" keeps a copy of the index's rows on that GPU
 * and searches every item there, exactly, whatever shortlist says (scores as on the CPU up to
 * float rounding, ties by the lower id; k <= 4096 unless the index holds fewer items); add and
 * remove update the copy. "cpu" (or NULL) frees it. GXN_ERR_UNSUPPORTED when this libgxn_c was
 * built without CUDA or no CUDA device is present (the message says which): the index is then
 * as it was. Needs the index to itself, as gxn_index_add. The copy is not saved with the index. */
GXN_API int gxn_index_set_device(gxn_index* index, const char* device);
/* "cpu" or "cuda:N". Valid until the next gxn_index_set_device or gxn_index_free. */
GXN_API const char* gxn_index_device(const gxn_index* index);

/* ---- Model: encode, caption, imagine -------------------------------------------------------
 * A trained model file (.gxn, written by `gxn train`). The model part needs LibTorch: a
 * libgxn_c built without it (CMake -DGXN_BUILD_MODEL=OFF, for hosts that only score and search)
 * has the same symbols, and every call that needs a model returns GXN_ERR_UNSUPPORTED;
 * gxn_has_model() says which library this is.
 *
 * Threads: a gxn_model is immutable once loaded. Any number of threads may call the functions
 * below on one handle at once; each call gives exactly what it gives alone (sampled captions and
 * imagined images draw from the call's own seed, never from shared state).
 *
 * Options structs carry their own size: fill one with its *_default_options() function, then
 * change fields. A NULL options pointer means the defaults. A library newer than the caller's
 * gxn.h reads only the fields the caller knows; an older library refuses a struct carrying
 * non-zero fields it does not know. */
typedef struct gxn_model gxn_model;

/* 1 when this library can load models, 0 when it was built without LibTorch. */
GXN_API int gxn_has_model(void);

typedef struct gxn_model_options {
  size_t size;        /* sizeof(gxn_model_options), set by gxn_model_default_options */
  int threads;        /* LibTorch's threads (process-wide) and image decoding; 0 = leave as is */
  int64_t batch_size; /* items per forward pass, >= 1 (default 128) */
  /* Added after the first version (a caller's older, smaller struct means "cpu"): where the
   * model runs, "cpu" (NULL: the same), "cuda" or "cuda:N". GXN_ERR_UNSUPPORTED when CUDA is not
   * available (a LibTorch without CUDA, or no GPU), GXN_ERR_INVALID_ARGUMENT for another name.
   * Read during gxn_model_load only. */
  const char* device;
} gxn_model_options;
GXN_API void gxn_model_default_options(gxn_model_options* options);

/* Loads a model file; errors name the file (not found, not a model file, another format version,
 * damaged). On success *out owns a model the caller frees with gxn_model_free. */
GXN_API int gxn_model_load(const char* path, const gxn_model_options* options, gxn_model** out);
GXN_API void gxn_model_free(gxn_model* model);

/* The paths a model was trained with (gxn_model_info.paths, bits). */
#define GXN_PATH_EMBEDDING 1 /* the ranking loss: always */
#define GXN_PATH_I2T 2       /* image -> text: the model captions */
#define GXN_PATH_T2I 4       /* text -> image: the model imagines */

typedef struct gxn_model_info {
  size_t size;                /* set by the caller: sizeof(gxn_model_info) */
  int64_t embed_dim;          /* D: embedding rows hold 2*D floats, x_h then x_l */
  float lambda;               /* the weight of the abstract part in s* */
  unsigned paths;             /* GXN_PATH_* bits */
  int takes_features;         /* 1: precomputed feature rows (precomp backbone); 0: images */
  int64_t feature_dim;        /* a feature region's length when takes_features, else 0 */
  int64_t vocab_size;         /* words, the special tokens included */
  int64_t max_caption_length; /* words a caption may have by default (0 without the i2t path) */
  int imagine_width;          /* size of an imagined image (0 without the t2i path) */
  int imagine_height;
} gxn_model_info;

/* Fills the fields of *out that fit in out->size bytes. */
GXN_API int gxn_model_get_info(const gxn_model* model, gxn_model_info* out);

/* A decoded image: height rows of width RGB pixels (3 bytes each), `stride` bytes apart
 * (>= 3 * width). The caller keeps ownership. */
typedef struct gxn_rgb_image {
  const uint8_t* pixels;
  int width;
  int height;
  int64_t stride;
} gxn_rgb_image;

/* Encoding: n inputs become an n x 2D gxn_matrix (free it with gxn_matrix_free), row i for
 * input i. Texts are UTF-8 captions, tokenised as in training (unknown words become <unk>); one
 * with no word is refused, naming its index. Image files may be JPEG, PNG, BMP or GIF; a failure
 * names the file. Images are resized and cropped as the model was trained. Features (for a model
 * that takes them) are n rows of `cols` floats: one region (feature_dim) or R regions. */
GXN_API int gxn_model_encode_texts(const gxn_model* model, const char* const* texts, int64_t n, gxn_matrix** out);
GXN_API int gxn_model_encode_image_files(const gxn_model* model, const char* const* paths, int64_t n, gxn_matrix** out);
GXN_API int gxn_model_encode_images(const gxn_model* model, const gxn_rgb_image* images, int64_t n, gxn_matrix** out);
GXN_API int gxn_model_encode_features(const gxn_model* model, const float* features, int64_t n, int64_t cols,
                                      gxn_matrix** out);

/* Strings owned by gxn (captions): free them with gxn_strings_free. */
typedef struct gxn_strings gxn_strings;
GXN_API int64_t gxn_strings_count(const gxn_strings* strings);
/* String i, UTF-8, NUL-terminated, valid until gxn_strings_free; NULL when i is out of range. */
GXN_API const char* gxn_strings_get(const gxn_strings* strings, int64_t i);
GXN_API void gxn_strings_free(gxn_strings* strings);

typedef enum gxn_decode_mode {
  GXN_DECODE_GREEDY = 0, /* the likeliest word at each step */
  GXN_DECODE_BEAM = 1,   /* beam search with beam_size beams */
  GXN_DECODE_SAMPLE = 2  /* words drawn at `temperature` from a generator seeded with `seed` */
} gxn_decode_mode;

typedef struct gxn_caption_options {
  size_t size;        /* sizeof(gxn_caption_options), set by gxn_caption_default_options */
  int mode;           /* a gxn_decode_mode (default GXN_DECODE_GREEDY) */
  int beam_size;      /* 1..100 (default 3) */
  double temperature; /* > 0 (default 1) */
  uint64_t seed;      /* default 1: the same seed gives the same captions */
  int64_t max_length; /* words per caption, 1..1000; 0 = the model's (default) */
} gxn_caption_options;
GXN_API void gxn_caption_default_options(gxn_caption_options* options);

/* Captions for n images (files, decoded images, or feature rows): *out holds n strings, words
 * joined by single spaces. Needs the i2t path. */
GXN_API int gxn_model_caption_image_files(const gxn_model* model, const char* const* paths, int64_t n,
                                          const gxn_caption_options* options, gxn_strings** out);
GXN_API int gxn_model_caption_images(const gxn_model* model, const gxn_rgb_image* images, int64_t n,
                                     const gxn_caption_options* options, gxn_strings** out);
GXN_API int gxn_model_caption_features(const gxn_model* model, const float* features, int64_t n, int64_t cols,
                                       const gxn_caption_options* options, gxn_strings** out);

/* Imagining: `count` (1..4096) images the generator draws for a UTF-8 caption, one per noise
 * vector drawn from `seed` (the same seed gives the same images). Each is imagine_width x
 * imagine_height RGB, rows packed (stride 3 * width); image i starts at byte i * width * height * 3.
 * Needs the t2i path.
 * gxn_model_imagine writes into the caller's buffer of `capacity` bytes (at least
 * count * width * height * 3); gxn_model_imagine_images returns gxn-owned images. */
GXN_API int gxn_model_imagine(const gxn_model* model, const char* text, int64_t count, uint64_t seed, uint8_t* out,
                              size_t capacity);

typedef struct gxn_images gxn_images;
GXN_API int gxn_model_imagine_images(const gxn_model* model, const char* text, int64_t count, uint64_t seed,
                                     gxn_images** out);
GXN_API int64_t gxn_images_count(const gxn_images* images);
GXN_API int gxn_images_width(const gxn_images* images);
GXN_API int gxn_images_height(const gxn_images* images);
/* count * height * width * 3 bytes, image after image; valid until gxn_images_free. */
GXN_API const uint8_t* gxn_images_data(const gxn_images* images);
GXN_API void gxn_images_free(gxn_images* images);

/* Searches an index with one query the model encodes: a caption for an index of images, or an
 * image file for an index of captions (the other pairing is refused). out_ids and out_scores
 * hold k entries (caller-allocated); *out_k = min(k, size); the rest as gxn_index_search with
 * the default shortlist. */
GXN_API int gxn_model_search_text(const gxn_model* model, const gxn_index* index, const char* text, int64_t k,
                                  int64_t* out_ids, float* out_scores, int64_t* out_k);
GXN_API int gxn_model_search_image_file(const gxn_model* model, const gxn_index* index, const char* path, int64_t k,
                                        int64_t* out_ids, float* out_scores, int64_t* out_k);

/* ---- Training --------------------------------------------------------------------------------
 * Trains a model as `gxn train` does, into a run folder: RUN/best.gxn (the best validation
 * rsum), RUN/checkpoint.gxn (after every epoch, atomically), RUN/log.csv, RUN/config.json. */

/* What a progress callback is told. */
typedef struct gxn_train_progress {
  size_t size;       /* sizeof(gxn_train_progress) as this library knows it */
  int64_t epoch;     /* the epoch under way, 1-based (at an epoch's end: the epoch finished) */
  int64_t epochs;    /* the run's epochs */
  int64_t step;      /* optimisation steps done in the run */
  double loss;       /* the step's loss (at an epoch's end: the epoch's mean) */
  int epoch_end;     /* 1 at an epoch's end: its checkpoint is written, the fields below are set */
  int best;          /* 1 when this epoch is the best so far (saved as best.gxn) */
  double val_i2t_r1; /* validation R@1, image -> text (percent) */
  double val_t2i_r1; /* validation R@1, text -> image */
  double val_rsum;   /* the six recalls added */
  double val_cider;  /* validation CIDEr-D of greedy captions (the i2t path), else 0 */
  /* Each path's loss, of the step (at an epoch's end: the epoch's means); 0 for a path not trained. */
  double ranking_loss;       /* L_R+ per caption (the embedding path) */
  double caption_loss;       /* the caption decoder's (i2t) */
  double generator_loss;     /* G's (t2i) */
  double discriminator_loss; /* D's (t2i) */
} gxn_train_progress;

/* Called on the training thread after every step and at every epoch's end. Return 0 to go on,
 * anything else to cancel. */
typedef int (*gxn_train_callback)(const gxn_train_progress* progress, void* user_data);

typedef struct gxn_train_options {
  size_t size;                 /* sizeof(gxn_train_options), set by gxn_train_default_options */
  const char* data_dir;        /* the dataset folder (on resume, NULL = the run's) */
  const char* out_dir;         /* the run folder, created if missing (required) */
  const char* config_json;     /* a training config as JSON text (its keys: gxn train --list-config) */
  const char* config_file;     /* or as a file; with neither, the defaults with the backbone the
                                  data calls for (on resume: the checkpoint's settings) */
  int resume;                  /* 1: continue the run in out_dir from its checkpoint */
  int64_t epochs;              /* the run's epochs; 0 = the config's */
  int threads;                 /* CPU threads; 0 = the config's */
  gxn_train_callback callback; /* NULL: no progress reports, no cancelling */
  void* user_data;             /* handed to callback as it is */
} gxn_train_options;
GXN_API void gxn_train_default_options(gxn_train_options* options);

/* Trains until the run's last epoch. A fresh run refuses a folder that holds a checkpoint; a
 * resumed one continues exactly where the checkpoint left it, with the settings it was started
 * with (only run settings, such as epochs and threads, may change). When the callback cancels,
 * gxn_train returns GXN_ERR_CANCELLED: after a step, the steps since the last epoch's end are
 * dropped and the last checkpoint is intact; at an epoch's end, that epoch's checkpoint stands.
 * Either way gxn_train with resume = 1 continues the run. */
GXN_API int gxn_train(const gxn_train_options* options);

#ifdef __cplusplus
}
#endif

#endif /* GXN_H */
