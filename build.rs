//! With `--features bert`, binaries get an rpath to the libtorch that `scripts/setup-libtorch`
//! unpacked (torch-sys's own rpath does not reach the CUDA runtime libraries libtorch_cpu needs).
fn main() {
    println!("cargo:rerun-if-env-changed=WHOSAID_LIBTORCH_RPATH");
    if std::env::var_os("CARGO_FEATURE_BERT").is_some() {
        if let Ok(paths) = std::env::var("WHOSAID_LIBTORCH_RPATH") {
            for p in paths.split(':').filter(|p| !p.is_empty()) {
                println!("cargo:rustc-link-arg=-Wl,-rpath,{p}");
            }
        }
    }
}
