//! The installable-app files that need more than a static file server: the
//! service worker (stamped with this build's id, never cached by the HTTP
//! cache) and the manifest (with its own content type).

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use app::state::AppState;

/// The worker script and manifest, read once at start-up.
#[derive(Clone)]
pub struct PwaFiles {
    service_worker: String,
    manifest: String,
}

impl PwaFiles {
    /// Loads `sw.js` and the manifest from the site root. The worker gets
    /// the list of this build's `/pkg` files to precache (with `--split`
    /// their names are only known after the build) and a hash of their
    /// contents, so each build gets a new cache.
    pub fn load(site_root: &str, pkg_dir: &str) -> Self {
        let read = |name: &str| std::fs::read_to_string(format!("{site_root}/{name}")).unwrap_or_default();
        let files = pkg_files(&format!("{site_root}/{pkg_dir}"));
        let mut hasher = Sha256::new();
        for file in &files {
            hasher.update(file.as_bytes());
            hasher.update(std::fs::read(format!("{site_root}/{pkg_dir}/{file}")).unwrap_or_default());
        }
        hasher.update(env!("CARGO_PKG_VERSION"));
        let build: String = hasher.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect();
        let urls: Vec<String> = files.iter().map(|f| format!("/{pkg_dir}/{f}")).collect();
        let urls = serde_json::to_string(&urls).expect("strings serialize");
        Self {
            service_worker: read("sw.js").replace("__TIDINGS_BUILD__", &build).replace("__TIDINGS_PKG_FILES__", &urls),
            manifest: read("manifest.webmanifest"),
        }
    }

    pub fn router(self) -> Router<AppState> {
        let worker = self.service_worker;
        let manifest = self.manifest;
        Router::new()
            .route("/sw.js", get(move || serve(worker.clone(), "text/javascript; charset=utf-8", true)))
            .route("/manifest.webmanifest", get(move || serve(manifest.clone(), "application/manifest+json", false)))
    }
}

/// The files the browser may load from `/pkg`, sorted (type declarations are
/// for tooling, not the browser).
fn pkg_files(dir: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| !name.ends_with(".d.ts"))
        .collect();
    files.sort();
    files
}

async fn serve(body: String, content_type: &'static str, worker: bool) -> Response {
    if body.is_empty() {
        return app::error::AppError::NotFound("file".into()).into_response();
    }
    let mut response = ([(header::CONTENT_TYPE, content_type)], body).into_response();
    let headers = response.headers_mut();
    if worker {
        // Browsers check for a new worker on navigation; let them see it.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        headers.insert("service-worker-allowed", HeaderValue::from_static("/"));
    } else {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    }
    response
}
