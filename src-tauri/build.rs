fn main() {
    // Commands are allow-listed from the protocol crate so the two cannot drift apart;
    // capabilities live in src-tauri/ beside the shell's code.
    // tauri-build watches its default capabilities dir only; without this an edited
    // capability silently keeps the old allow-list in an incremental build.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(earshot_protocol::COMMANDS));
    if let Err(err) = tauri_build::try_build(attributes) {
        eprintln!("tauri build failed: {err:#}");
        std::process::exit(1);
    }
}
