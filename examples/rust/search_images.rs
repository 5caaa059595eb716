// Index a folder of images with a gxn model, then answer text queries from stdin (as
// search_images.c): gxn from Rust through its C API alone, with nothing but Debian's rustc and
// the standard library (no crates, no bindgen).
//   rustc --edition 2021 -O search_images.rs -L PREFIX/lib -l gxn_c
//   ./search_images MODEL.gxn FOLDER < queries.txt
use std::ffi::{CStr, CString};
use std::io::BufRead;
use std::os::raw::{c_char, c_int, c_void};
use std::ptr;

// The parts of gxn.h this program uses, declared by hand.
#[repr(C)]
struct ModelInfo {
    size: usize,
    embed_dim: i64,
    lambda: f32,
    paths: u32,
    takes_features: c_int,
    feature_dim: i64,
    vocab_size: i64,
    max_caption_length: i64,
    imagine_width: c_int,
    imagine_height: c_int,
}

#[repr(C)]
struct IndexOptions {
    size: usize,
    lambda: f32,
    side: c_int,
    kind: c_int,
    nlist: i64,
}

extern "C" {
    fn gxn_last_error() -> *const c_char;
    fn gxn_model_load(path: *const c_char, options: *const c_void, out: *mut *mut c_void) -> c_int;
    fn gxn_model_free(model: *mut c_void);
    fn gxn_model_get_info(model: *const c_void, out: *mut ModelInfo) -> c_int;
    fn gxn_model_encode_texts(model: *const c_void, texts: *const *const c_char, n: i64, out: *mut *mut c_void)
        -> c_int;
    fn gxn_model_encode_image_files(
        model: *const c_void,
        paths: *const *const c_char,
        n: i64,
        out: *mut *mut c_void,
    ) -> c_int;
    fn gxn_matrix_cols(matrix: *const c_void) -> i64;
    fn gxn_matrix_data(matrix: *const c_void) -> *const f32;
    fn gxn_matrix_free(matrix: *mut c_void);
    fn gxn_index_default_options(options: *mut IndexOptions);
    fn gxn_index_create(
        rows: *const f32,
        n: i64,
        dim2: i64,
        ids: *const i64,
        payloads: *const *const c_char,
        options: *const IndexOptions,
        out: *mut *mut c_void,
    ) -> c_int;
    fn gxn_index_search(
        index: *const c_void,
        queries: *const f32,
        n_queries: i64,
        dim2: i64,
        k: i64,
        shortlist: i64,
        out_index: *mut i64,
        out_score: *mut f32,
        out_k: *mut i64,
    ) -> c_int;
    fn gxn_index_payload(index: *const c_void, id: i64, out: *mut *const c_char) -> c_int;
    fn gxn_index_free(index: *mut c_void);
}

// A gxn status as a Rust error carrying gxn's message.
fn check(status: c_int, what: &str) -> Result<(), String> {
    if status == 0 {
        return Ok(());
    }
    let message = unsafe { CStr::from_ptr(gxn_last_error()) }.to_string_lossy().into_owned();
    Err(format!("{}: {}", what, message))
}

// Owners that free gxn's handles when they go out of scope.
struct Model(*mut c_void);
impl Drop for Model {
    fn drop(&mut self) {
        unsafe { gxn_model_free(self.0) }
    }
}
struct Matrix(*mut c_void);
impl Drop for Matrix {
    fn drop(&mut self) {
        unsafe { gxn_matrix_free(self.0) }
    }
}
struct Index(*mut c_void);
impl Drop for Index {
    fn drop(&mut self) {
        unsafe { gxn_index_free(self.0) }
    }
}

fn run(model_path: &str, folder: &str) -> Result<(), String> {
    let mut paths: Vec<String> = std::fs::read_dir(folder)
        .map_err(|e| format!("{}: {}", folder, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|x| x.to_str()), Some("png") | Some("jpg") | Some("jpeg")))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    paths.sort();
    let c_paths: Vec<CString> = paths.iter().map(|p| CString::new(p.as_str()).unwrap()).collect();
    let path_ptrs: Vec<*const c_char> = c_paths.iter().map(|p| p.as_ptr()).collect();

    let path = CString::new(model_path).unwrap();
    let mut model = Model(ptr::null_mut());
    check(unsafe { gxn_model_load(path.as_ptr(), ptr::null(), &mut model.0) }, "load")?;
    let mut info: ModelInfo = unsafe { std::mem::zeroed() };
    info.size = std::mem::size_of::<ModelInfo>();
    check(unsafe { gxn_model_get_info(model.0, &mut info) }, "info")?;
    let mut images = Matrix(ptr::null_mut());
    let n = paths.len() as i64;
    check(unsafe { gxn_model_encode_image_files(model.0, path_ptrs.as_ptr(), n, &mut images.0) }, "encode")?;

    let mut options: IndexOptions = unsafe { std::mem::zeroed() };
    unsafe { gxn_index_default_options(&mut options) };
    options.lambda = info.lambda;
    let mut index = Index(ptr::null_mut());
    let dim2 = unsafe { gxn_matrix_cols(images.0) };
    let rows = unsafe { gxn_matrix_data(images.0) };
    check(
        unsafe { gxn_index_create(rows, n, dim2, ptr::null(), path_ptrs.as_ptr(), &options, &mut index.0) },
        "index",
    )?;
    println!("indexed {} images", n);

    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| e.to_string())?;
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        let text = CString::new(line).map_err(|e| e.to_string())?;
        let text_ptr = text.as_ptr();
        let mut query = Matrix(ptr::null_mut());
        check(unsafe { gxn_model_encode_texts(model.0, &text_ptr, 1, &mut query.0) }, line)?;
        let (mut ids, mut scores, mut k) = ([0i64; 5], [0f32; 5], 0i64);
        check(
            unsafe {
                gxn_index_search(index.0, gxn_matrix_data(query.0), 1, dim2, 5, 0, ids.as_mut_ptr(),
                                 scores.as_mut_ptr(), &mut k)
            },
            "search",
        )?;
        println!("{}", line);
        for i in 0..k as usize {
            let mut name: *const c_char = ptr::null();
            check(unsafe { gxn_index_payload(index.0, ids[i], &mut name) }, "payload")?;
            println!("  {:.4} {}", scores[i], unsafe { CStr::from_ptr(name) }.to_string_lossy());
        }
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: search_images MODEL.gxn FOLDER < queries.txt");
        std::process::exit(2);
    }
    if let Err(message) = run(&args[1], &args[2]) {
        eprintln!("search_images: {}", message);
        std::process::exit(1);
    }
}
