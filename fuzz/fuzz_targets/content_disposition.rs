//! Any file name becomes one valid header line: no CR/LF or other bytes
//! that could split or smuggle headers, always `attachment`, and the UTF-8
//! name survives the RFC 5987 encoding unchanged.
#![no_main]

use actix_web::http::header::{DispositionParam, HeaderValue};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|name: &str| {
    let disposition = delivery::storage::content_disposition(name);
    let line = disposition.to_string();
    assert!(line.starts_with("attachment; "), "{line}");
    assert!(!line.contains(['\r', '\n', '\0']), "{line:?}");
    assert!(HeaderValue::from_str(&line).is_ok(), "{line:?}");
    let carried = disposition.parameters.iter().find_map(|p| match p {
        DispositionParam::FilenameExt(ext) => Some(ext.value.clone()),
        _ => None,
    });
    if let Some(bytes) = carried {
        assert_eq!(bytes, name.as_bytes());
    }
});
