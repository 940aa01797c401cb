//! Earshot's UI: Sycamore compiled to WebAssembly, talking to the Rust backend over Tauri IPC.
#![forbid(unsafe_code)]

mod app;
mod audio;
mod components;
mod ipc;
mod listen;
mod pages;
mod routes;
mod state;
mod wallboard;

fn main() {
    console_error_panic_hook::set_once();
    sycamore::render(app::App);
}
