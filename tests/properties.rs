//! Property tests: any input string is analysed without a panic, and every span slices back.

use proptest::prelude::*;
use whosaid::Pipeline;

fn pipeline() -> &'static Pipeline {
    static P: std::sync::OnceLock<Pipeline> = std::sync::OnceLock::new();
    P.get_or_init(|| Pipeline::new_default().unwrap())
}

fn check(text: &str) {
    whosaid::check::pipeline_on_bytes(pipeline(), text.as_bytes());
}

/// Words and marks that drive the rules, mixed with anything.
fn newsy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\"".to_string()),
        Just("“".to_string()),
        Just("”".to_string()),
        Just("’s".to_string()),
        Just("'".to_string()),
        Just(" said ".to_string()),
        Just(" told them that ".to_string()),
        Just("According to ".to_string()),
        Just(", ".to_string()),
        Just(": ".to_string()),
        Just(". ".to_string()),
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just(" he ".to_string()),
        Just("Marco Rubio".to_string()),
        Just("U.S.".to_string()),
        Just("Mr.".to_string()),
        Just("—".to_string()),
        Just("n't".to_string()),
        Just("Björn".to_string()),
        "[a-zA-Z]{1,8}",
        "\\PC{1,4}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn any_string_is_analysed(s in "\\PC*") {
        check(&s);
    }

    #[test]
    fn any_unicode_is_analysed(s in any::<String>()) {
        check(&s);
    }

    #[test]
    fn newsy_strings_are_analysed(s in newsy()) {
        check(&s);
    }
}
