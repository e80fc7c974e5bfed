//! Sellers write message templates: checking any text either accepts it or
//! names the field with a line and column — it never panics or hangs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|source: &str| {
    if let Err(error) = delivery::notifications::templates::check(source, "body_text") {
        assert_eq!(error.field, "body_text");
        assert!(!error.message.is_empty());
    }
});
