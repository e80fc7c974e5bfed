//! Portal codes come from anyone on the internet: only URL-safe codes of a
//! plausible length reach the database; anything else is refused before.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|code: &str| {
    if delivery::portal::routes::plausible_code(code) {
        assert!((16..=64).contains(&code.len()), "{code:?}");
        assert!(
            code.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{code:?}"
        );
    }
});
