//! The JSON Lines reader on arbitrary bytes (`whosaid::check::jsonl_on_bytes`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| whosaid::check::jsonl_on_bytes(data));
