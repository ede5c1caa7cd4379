//! The WASM entry point: hydrates the HTML the server rendered.

use leptos::prelude::document;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Pages are lazily loaded chunks, so hydration is async: it waits for
    // the current page's chunk, then marks the document as hydrated.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let Some(body) = document().body() else { return };
        leptos::mount::hydrate_from_async(body, app::App).await.forget();
        // For tests, and for CSS that should only apply once interactive.
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}

/// Slack for the WASM splitter (`cargo leptos --split`). It lays out the
/// read-only data again, grouped by the chunk that uses each piece; when
/// alignment padding makes the result a few bytes longer than the linker's
/// original, it gives up and keeps *all* of that data, every chunk's
/// strings and tables, in the main module (measured: +59 KB raw, +26 KB
/// gzip, on one new signal). Kept by `#[used]` but referenced by no code,
/// these bytes belong to no chunk, so the new layout always has room. They
/// cost the download nothing: a run of one byte compresses to a few bytes.
#[used]
static SPLITTER_SLACK: [u8; 2048] = [0x5a; 2048];
