//! The limits each request field's parser enforces, stated in the document
//! so that a client (and the contract fuzzer) knows what will be accepted.
//!
//! The patterns mirror the parsers exactly: `validation::Text` trims Unicode
//! white space and refuses control characters, and counts characters after
//! trimming; a pattern that were stricter or looser than the parser would
//! make the document lie one way or the other. They are long and share their
//! parts, which is why they are written here once instead of as literals on
//! each field.

use utoipa::Number;
use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::schema::{Schema, SchemaFormat};
use utoipa::openapi::{OpenApi, RefOr};

/// White space `str::trim` removes.
const W: &str = r"[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
/// Neither white space nor a control character (the ends of a text).
const V: &str = r"[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
/// Not a control character (inside a text).
const C: &str = r"[^\x00-\x1F\x7F-\x9F]";
/// Neither white space nor NUL (the ends of a free text).
const N: &str = r"[^\x00\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
/// A file's display name: like `V`, and no path separators.
const D: &str = r"[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000/\\]";
/// A UUID in any form `Uuid::parse_str` takes, or empty (the first page).
const CURSOR: &str = r"^(?:|[0-9A-Fa-f]{32}|\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}|(?:[uU][rR][nN]:[uU][uU][iI][dD]:)?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})$";

/// What one field accepts.
enum Limit {
    Pattern(String),
    Length(usize, usize),
    Email,
    Range(isize, isize),
    Items(usize, usize),
}

/// `Text::parse(raw, 1, max)`.
fn text(max: usize) -> Limit {
    Limit::Pattern(format!("^{W}*{V}(?:{C}{{0,{}}}{V})?{W}*$", max - 2))
}

/// Blank (none), or `Text::parse(raw, 1, max)`.
fn optional_text(max: usize) -> Limit {
    Limit::Pattern(format!("^{W}*(?:{V}(?:{C}{{0,{}}}{V})?{W}*)?$", max - 2))
}

/// Free text (several lines) of at most `max` characters after trimming,
/// without NUL; `required` refuses a blank one.
fn free_text(max: usize, required: bool) -> Limit {
    let body = format!("{N}(?:[^\\x00]{{0,{}}}{N})?{W}*", max - 2);
    Limit::Pattern(if required {
        format!("^{W}*{body}$")
    } else {
        format!("^{W}*(?:{body})?$")
    })
}

/// A price: up to 1 000 000 000 with at most two decimals (`articles::domain::parse_price`).
fn price() -> Limit {
    Limit::Pattern(format!(
        r"^{W}*(?!(?:[^0-9]*[0-9]){{16}})(?=\.?[0-9])(?:0*(?:[1-9][0-9]{{0,8}})?(?:\.[0-9]{{0,2}}0*)?|0*1000000000(?:\.0*)?){W}*$"
    ))
}

/// A VAT rate in percent, 0–100 with at most two decimals.
fn vat_rate() -> Limit {
    Limit::Pattern(format!(
        r"^{W}*(?!(?:[^0-9]*[0-9]){{16}})(?=\.?[0-9])(?:0*(?:[1-9][0-9]?)?(?:\.[0-9]{{0,2}}0*)?|0*100(?:\.0*)?){W}*$"
    ))
}

fn currency() -> Limit {
    Limit::Pattern(format!("^{W}*[A-Za-z]{{3}}{W}*$"))
}

/// `de` or `en`, in any case, optionally with a region (`de-AT`).
fn language() -> Limit {
    Limit::Pattern(format!(r"^{W}*(?:[dD][eE]|[eE][nN])(?:[-_][\s\S]*|{W}*)$"))
}

fn display_name() -> Limit {
    Limit::Pattern(format!(
        r"^{W}*{D}(?:[^\x00-\x1F\x7F-\x9F/\\]{{0,253}}{D})?{W}*$"
    ))
}

fn pattern(core: &str) -> Limit {
    Limit::Pattern(format!("^{W}*{core}{W}*$"))
}

/// Update bodies take the create body's fields (each optional) under the
/// same limits: the create body's entries apply to them too.
const UPDATE_OF: [(&str, &str); 2] = [
    ("CreateArticleRequest", "UpdateArticleRequest"),
    ("CreateStorageConnection", "UpdateStorageConnection"),
];

/// Every limited field of the request bodies, by schema and property.
fn body_limits() -> Vec<(&'static str, &'static str, Limit)> {
    use Limit::{Email, Items, Length, Range};
    vec![
        ("SignupRequest", "shop_name", text(100)),
        ("SignupRequest", "email", Email),
        ("SignupRequest", "password", Length(10, 256)),
        ("LoginRequest", "password", Length(0, 256)),
        ("CreateApiKeyRequest", "name", text(100)),
        ("CreateStorageConnection", "name", text(100)),
        ("CreateStorageConnection", "region", optional_text(64)),
        (
            "CreateStorageConnection",
            "bucket",
            pattern("[a-z0-9._-]{3,63}"),
        ),
        ("CreateStorageConnection", "access_key_id", text(256)),
        ("CreateStorageConnection", "secret_access_key", text(256)),
        (
            "CreateArticleRequest",
            "sku",
            pattern(&format!("{V}{{1,64}}")),
        ),
        ("CreateArticleRequest", "title", text(200)),
        (
            "CreateArticleRequest",
            "description",
            free_text(10_000, false),
        ),
        ("CreateArticleRequest", "price", price()),
        ("CreateArticleRequest", "currency", currency()),
        ("CreateArticleRequest", "vat_rate", vat_rate()),
        ("CreateArticleRequest", "download_limit", Range(1, 10_000)),
        ("CreateArticleRequest", "validity_days", Range(1, 36_500)),
        ("LinkFileRequest", "display_name", display_name()),
        ("UpdateFileRequest", "display_name", display_name()),
        ("BillingAddress", "company", optional_text(200)),
        ("BillingAddress", "name", optional_text(200)),
        ("BillingAddress", "street", optional_text(200)),
        ("BillingAddress", "postal_code", optional_text(20)),
        ("BillingAddress", "city", optional_text(100)),
        ("BillingAddress", "vat_id", optional_text(30)),
        (
            "BillingAddress",
            "country",
            Limit::Pattern(format!("^{W}*(?:[A-Za-z]{{2}}{W}*)?$")),
        ),
        ("CustomerBody", "name", text(200)),
        ("CustomerBody", "email", Email),
        ("CustomerBody", "language", language()),
        ("ItemBody", "sku", optional_text(64)),
        ("ItemBody", "title", optional_text(200)),
        ("ItemBody", "quantity", Range(1, 1000)),
        ("ItemBody", "unit_price", price()),
        ("ItemBody", "vat_rate", vat_rate()),
        ("CreateOrderRequest", "channel", text(50)),
        ("CreateOrderRequest", "external_ref", optional_text(200)),
        ("CreateOrderRequest", "currency", currency()),
        ("CreateOrderRequest", "items", Items(1, 100)),
        ("ImportOrdersRequest", "orders", Items(1, 500)),
        ("NoteRequest", "text", free_text(5000, true)),
        ("UpdateDownloadsRequest", "max_downloads", Range(0, 100_000)),
        ("InvoiceSettingsBody", "company_name", optional_text(200)),
        ("InvoiceSettingsBody", "vat_id", optional_text(30)),
        ("InvoiceSettingsBody", "tax_number", optional_text(30)),
        (
            "InvoiceSettingsBody",
            "number_prefix",
            pattern("[A-Za-z0-9_/.#-]{0,20}"),
        ),
        ("InvoiceSettingsBody", "number_digits", Range(1, 10)),
        ("TemplateBody", "name", text(100)),
        ("TemplateBody", "language", language()),
        ("TemplateBody", "subject", Length(0, 300)),
        ("TemplateBody", "body_text", Length(0, 50_000)),
        ("TemplateBody", "body_html", Length(0, 50_000)),
        ("RuleBody", "name", text(100)),
        ("RuleBody", "template_name", text(100)),
        ("RuleBody", "language", language()),
        ("RuleBody", "min_total", price()),
        ("RuleBody", "channels", Items(1, 50)),
        ("CreateSalesChannel", "name", text(50)),
        ("PortalSettingsBody", "title", optional_text(100)),
        (
            "PortalSettingsBody",
            "accent_color",
            pattern("#[0-9A-Fa-f]{6}"),
        ),
        ("PortalSettingsBody", "welcome_text", free_text(2000, false)),
        ("PortalSettingsBody", "footer_text", free_text(2000, false)),
        (
            "PortalSettingsBody",
            "default_download_limit",
            Range(1, 10_000),
        ),
        ("PortalSettingsBody", "validity_days", Range(1, 36_500)),
        ("PortalMessageRequest", "message", free_text(2000, true)),
    ]
}

/// Writes the limits into the document's request schemas and into the
/// paging and search parameters of every list. Returns the limited fields
/// the document does not have (a renamed field; a test keeps this empty).
pub fn state_input_limits(doc: &mut OpenApi) -> Vec<String> {
    let mut unknown = Vec::new();
    if let Some(components) = doc.components.as_mut() {
        for (schema, property, limit) in body_limits() {
            let update = UPDATE_OF
                .iter()
                .find(|(create, _)| *create == schema)
                .map(|(_, update)| *update);
            for schema in std::iter::once(schema).chain(update) {
                let found = components
                    .schemas
                    .get_mut(schema)
                    .is_some_and(|s| apply_to_property(s, property, &limit));
                if !found {
                    unknown.push(format!("{schema}.{property}"));
                }
            }
        }
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        // The bucket listing pages with the storage's own opaque token.
        let bucket_listing = path.ends_with("/objects");
        let operations = [&mut item.get, &mut item.post];
        for operation in operations.into_iter().flatten() {
            for parameter in operation.parameters.iter_mut().flatten() {
                let limit = match (&parameter.parameter_in, parameter.name.as_str()) {
                    (ParameterIn::Query, "limit") if bucket_listing => Limit::Range(1, 1000),
                    (ParameterIn::Query, "limit") => Limit::Range(1, 200),
                    (ParameterIn::Query, "cursor") if bucket_listing => Limit::Length(0, 2048),
                    (ParameterIn::Query, "cursor") => Limit::Pattern(CURSOR.to_owned()),
                    (ParameterIn::Query, "q") if path.ends_with("/invoices") => {
                        Limit::Length(0, 100)
                    }
                    (ParameterIn::Query, "q") => Limit::Length(0, 200),
                    // 1–200 visible ASCII characters, surrounding blanks trimmed.
                    (ParameterIn::Header, "Idempotency-Key") => {
                        Limit::Pattern(r"^[\t ]*[!-~](?:[\t -~]{0,198}[!-~])?[\t ]*$".to_owned())
                    }
                    _ => continue,
                };
                if let Some(schema) = parameter.schema.as_mut() {
                    apply(schema, &limit);
                }
            }
        }
    }
    unknown
}

/// Applies `limit` to `property` of an object schema, or of each variant of
/// a `oneOf` (the storage connection kinds); false when there is none.
fn apply_to_property(schema: &mut RefOr<Schema>, property: &str, limit: &Limit) -> bool {
    match schema {
        RefOr::T(Schema::Object(object)) => match object.properties.get_mut(property) {
            Some(field) => {
                apply(field, limit);
                true
            }
            None => false,
        },
        RefOr::T(Schema::OneOf(one_of)) => one_of
            .items
            .iter_mut()
            .map(|variant| apply_to_property(variant, property, limit))
            .fold(false, |any, found| any | found),
        _ => false,
    }
}

fn apply(schema: &mut RefOr<Schema>, limit: &Limit) {
    match (schema, limit) {
        (RefOr::T(Schema::Array(array)), Limit::Items(min, max)) => {
            array.min_items = Some(*min);
            array.max_items = Some(*max);
        }
        (RefOr::T(Schema::Object(object)), limit) => match limit {
            Limit::Pattern(pattern) => object.pattern = Some(pattern.clone()),
            Limit::Length(min, max) => {
                object.min_length = (*min > 0).then_some(*min);
                object.max_length = Some(*max);
            }
            Limit::Email => {
                object.format = Some(SchemaFormat::Custom("email".into()));
                object.max_length = Some(254);
            }
            Limit::Range(min, max) => {
                object.minimum = Some(Number::Int(*min));
                object.maximum = Some(Number::Int(*max));
            }
            Limit::Items(..) => {}
        },
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_limit_names_a_property_of_the_document() {
        let unknown = state_input_limits(&mut super::super::route_document());
        assert!(unknown.is_empty(), "{unknown:?}");
    }

    #[test]
    fn text_patterns_follow_the_parser() {
        let Limit::Pattern(p) = text(5) else { panic!() };
        let re = regex::Regex::new(&p).unwrap();
        for ok in ["a", " abcde ", "a b c", "Äö"] {
            assert!(re.is_match(ok), "{ok:?}");
        }
        for bad in ["", "   ", "abcdef", "a\u{0}b", "a\nb"] {
            assert!(!re.is_match(bad), "{bad:?}");
        }
    }
}
