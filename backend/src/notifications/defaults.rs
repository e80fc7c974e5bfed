//! What every new shop starts with: a German and an English "your
//! downloads are ready" template and the rule that sends it on payment.

use super::rules::{RuleRow, TriggerKind};
use super::templates::{TemplateBody, insert};
use crate::db::{DbConnection, new_id, now};
use crate::error::ApiError;

/// The name of the default template.
pub const DOWNLOADS_READY: &str = "downloads_ready";

const DE_TEXT: &str = "Hallo {{ customer_name }},

vielen Dank für Ihre Bestellung {{ order_number }} bei {{ shop_name }}.
Ihre Dateien stehen ab sofort für Sie bereit:

{{ portal_url }}
{% for item in items %}
{{ item.title }}{% for file in item.files %}
  – {{ file.name }}{% if file.max_downloads %} ({{ file.max_downloads }} Downloads{% if file.expires_at %}, bis {{ file.expires_at }}{% endif %}){% endif %}{% endfor %}
{% endfor %}{% if invoice_url %}
Ihre Rechnung: {{ invoice_url }}
{% endif %}{% if support_email %}
Bei Fragen erreichen Sie uns unter {{ support_email }}.{% endif %}

Viel Freude damit!
{{ shop_name }}
";

const EN_TEXT: &str = "Hello {{ customer_name }},

thank you for your order {{ order_number }} at {{ shop_name }}.
Your files are ready for you:

{{ portal_url }}
{% for item in items %}
{{ item.title }}{% for file in item.files %}
  – {{ file.name }}{% if file.max_downloads %} ({{ file.max_downloads }} downloads{% if file.expires_at %}, until {{ file.expires_at }}{% endif %}){% endif %}{% endfor %}
{% endfor %}{% if invoice_url %}
Your invoice: {{ invoice_url }}
{% endif %}{% if support_email %}
Questions? Write to {{ support_email }}.{% endif %}

Enjoy!
{{ shop_name }}
";

const DE_HTML: &str = "<p>Hallo {{ customer_name }},</p>
<p>vielen Dank für Ihre Bestellung {{ order_number }} bei {{ shop_name }}. Ihre Dateien stehen ab sofort für Sie bereit:</p>
<p><a href=\"{{ portal_url }}\">Zu Ihren Downloads</a></p>
<ul>{% for item in items %}{% for file in item.files %}<li>{{ file.name }}</li>{% endfor %}{% endfor %}</ul>
{% if invoice_url %}<p><a href=\"{{ invoice_url }}\">Ihre Rechnung (PDF)</a></p>{% endif %}
{% if support_email %}<p>Bei Fragen erreichen Sie uns unter {{ support_email }}.</p>{% endif %}";

const EN_HTML: &str = "<p>Hello {{ customer_name }},</p>
<p>thank you for your order {{ order_number }} at {{ shop_name }}. Your files are ready for you:</p>
<p><a href=\"{{ portal_url }}\">Go to your downloads</a></p>
<ul>{% for item in items %}{% for file in item.files %}<li>{{ file.name }}</li>{% endfor %}{% endfor %}</ul>
{% if invoice_url %}<p><a href=\"{{ invoice_url }}\">Your invoice (PDF)</a></p>{% endif %}
{% if support_email %}<p>Questions? Write to {{ support_email }}.</p>{% endif %}";

/// Installs the default templates and the "paid → downloads ready" rule.
pub fn install(conn: &mut DbConnection, tenant_id: &str) -> Result<(), ApiError> {
    for (language, subject, text, html) in [
        (
            "de",
            "Ihre Downloads zu Bestellung {{ order_number }} sind bereit",
            DE_TEXT,
            DE_HTML,
        ),
        (
            "en",
            "Your downloads for order {{ order_number }} are ready",
            EN_TEXT,
            EN_HTML,
        ),
    ] {
        insert(
            conn,
            tenant_id,
            &TemplateBody {
                name: DOWNLOADS_READY.into(),
                language: language.into(),
                subject: subject.into(),
                body_text: text.into(),
                body_html: Some(html.into()),
            },
        )?;
    }
    let at = now();
    super::rules::insert(
        conn,
        &RuleRow {
            id: new_id(),
            tenant_id: tenant_id.to_owned(),
            name: "Paid → send the downloads".into(),
            trigger_kind: TriggerKind::OrderPaid.as_str().into(),
            trigger_status: None,
            template_name: DOWNLOADS_READY.into(),
            only_digital: true,
            channels: None,
            language: None,
            min_total_minor: None,
            enabled: true,
            repeatable: false,
            created_at: at,
            updated_at: at,
            action: "email".into(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notifications::templates::check;

    #[test]
    fn default_templates_are_valid() {
        for source in [DE_TEXT, EN_TEXT, DE_HTML, EN_HTML] {
            check(source, "body_text").unwrap();
        }
    }
}
