//! The whole pipeline on arbitrary bytes (`whosaid::check::pipeline_on_bytes`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use whosaid::Pipeline;

fn pipeline() -> &'static Pipeline {
    static P: OnceLock<Pipeline> = OnceLock::new();
    P.get_or_init(|| Pipeline::new_default().expect("built-in models"))
}

fuzz_target!(|data: &[u8]| whosaid::check::pipeline_on_bytes(pipeline(), data));
