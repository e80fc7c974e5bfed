//! Whatever a seller or an API client sends as a key or folder, an accepted
//! one never points outside the special folder, and parsing is idempotent.
#![no_main]

use delivery::storage::keys::parse_root_prefix;
use delivery::storage::{ObjectKey, Prefix};
use libfuzzer_sys::fuzz_target;

fn inside(path: &str) -> bool {
    !path.starts_with('/')
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && path.split('/').all(|s| s != ".." && s != ".")
}

fuzz_target!(|raw: &str| {
    if let Ok(key) = ObjectKey::parse(raw) {
        assert!(inside(key.as_str()), "{raw:?}");
        assert!(!key.as_str().split('/').any(str::is_empty), "{raw:?}");
        assert!(!key.base_name().is_empty());
        assert_eq!(ObjectKey::parse(key.as_str()).as_ref(), Ok(&key));
    }
    if let Ok(prefix) = Prefix::parse(raw) {
        let p = prefix.as_str();
        assert!(p.is_empty() || p.ends_with('/'), "{raw:?}");
        assert!(inside(p), "{raw:?}");
        assert_eq!(Prefix::parse(p).as_ref(), Ok(&prefix));
    }
    if let Ok(root) = parse_root_prefix(raw) {
        assert!(inside(&root), "{raw:?}");
        assert_eq!(parse_root_prefix(&root).as_deref(), Ok(root.as_str()));
    }
});
