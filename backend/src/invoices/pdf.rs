//! The invoice PDF (PDF/A-3b, A4), rendered from the frozen snapshot in the
//! order's language. The bundled DejaVu Sans covers Latin, Greek and
//! Cyrillic; a character it lacks is printed as `?` rather than failing the
//! invoice (PDF/A forbids undefined glyphs).

use std::sync::LazyLock;

use chrono::{DateTime, Datelike, Timelike, Utc};
use krilla::Document;
use krilla::SerializeSettings;
use krilla::color::rgb;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::{DateTime as PdfDateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use rust_decimal::Decimal;

use super::domain::{InvoiceKind, Snapshot};

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// A font for drawing plus its metrics for measuring.
struct Face {
    font: Font,
    metrics: ttf_parser::Face<'static>,
}

impl Face {
    fn load(data: &'static [u8]) -> Face {
        Face {
            font: Font::new(data.into(), 0).expect("the bundled font parses"),
            metrics: ttf_parser::Face::parse(data, 0).expect("the bundled font parses"),
        }
    }

    /// Width of `text` at `size` points (advances only; no kerning).
    fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .filter_map(|c| self.metrics.glyph_index(c))
            .filter_map(|g| self.metrics.glyph_hor_advance(g))
            .map(u32::from)
            .sum();
        units as f32 * size / f32::from(self.metrics.units_per_em())
    }

    /// `text` with every character the font cannot print replaced by `?`.
    fn printable(&self, text: &str) -> String {
        text.chars()
            .map(|c| {
                let private = ('\u{E000}'..='\u{F8FF}').contains(&c);
                if c.is_control() || private || self.metrics.glyph_index(c).is_none() {
                    '?'
                } else {
                    c
                }
            })
            .collect()
    }
}

static FACES: LazyLock<(Face, Face)> = LazyLock::new(|| (Face::load(REGULAR), Face::load(BOLD)));

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const LEFT: f32 = 56.0;
const RIGHT: f32 = PAGE_W - 56.0;
const BOTTOM: f32 = PAGE_H - 150.0;

/// The printed words in the invoice's language.
struct Labels {
    invoice: &'static str,
    cancellation: &'static str,
    number: &'static str,
    date: &'static str,
    order: &'static str,
    order_date: &'static str,
    supply_date: &'static str,
    cancels: &'static str,
    position: &'static str,
    item: &'static str,
    quantity: &'static str,
    unit_price: &'static str,
    vat: &'static str,
    total: &'static str,
    net: &'static str,
    total_net: &'static str,
    total_vat: &'static str,
    total_gross: &'static str,
    vat_id: &'static str,
    tax_number: &'static str,
    customer_vat_id: &'static str,
    prices_gross: &'static str,
    page: &'static str,
}

const GERMAN: Labels = Labels {
    invoice: "Rechnung",
    cancellation: "Stornorechnung",
    number: "Rechnungsnummer",
    date: "Rechnungsdatum",
    order: "Bestellnummer",
    order_date: "Bestelldatum",
    supply_date: "Leistungsdatum",
    cancels: "Storniert Rechnung",
    position: "Pos.",
    item: "Artikel",
    quantity: "Menge",
    unit_price: "Einzelpreis",
    vat: "USt.",
    total: "Gesamt",
    net: "Netto",
    total_net: "Summe netto",
    total_vat: "Summe Umsatzsteuer",
    total_gross: "Gesamtbetrag",
    vat_id: "USt-IdNr.",
    tax_number: "Steuernummer",
    customer_vat_id: "Ihre USt-IdNr.",
    prices_gross: "Alle Preise inklusive Umsatzsteuer.",
    page: "Seite",
};

const ENGLISH: Labels = Labels {
    invoice: "Invoice",
    cancellation: "Cancellation invoice",
    number: "Invoice number",
    date: "Invoice date",
    order: "Order number",
    order_date: "Order date",
    supply_date: "Date of supply",
    cancels: "Cancels invoice",
    position: "No.",
    item: "Item",
    quantity: "Qty",
    unit_price: "Unit price",
    vat: "VAT",
    total: "Total",
    net: "Net",
    total_net: "Total net",
    total_vat: "Total VAT",
    total_gross: "Total amount",
    vat_id: "VAT ID",
    tax_number: "Tax number",
    customer_vat_id: "Your VAT ID",
    prices_gross: "All prices include VAT.",
    page: "Page",
};

/// Money and dates as the language writes them.
struct Locale {
    german: bool,
    currency: String,
}

impl Locale {
    fn money(&self, minor: i64) -> String {
        let amount = Decimal::new(minor.abs(), 2).to_string();
        let (units, cents) = amount.split_once('.').unwrap_or((&amount, "00"));
        let sep = if self.german { '.' } else { ',' };
        let mut grouped = String::new();
        for (i, digit) in units.chars().enumerate() {
            if i > 0 && (units.len() - i) % 3 == 0 {
                grouped.push(sep);
            }
            grouped.push(digit);
        }
        let sign = if minor < 0 { "-" } else { "" };
        let symbol = match self.currency.as_str() {
            "EUR" => "€",
            "USD" => "$",
            "GBP" => "£",
            other => other,
        };
        if self.german {
            format!("{sign}{grouped},{cents} {symbol}")
        } else {
            format!("{sign}{symbol}{grouped}.{cents}")
        }
    }

    fn rate(&self, bp: i32) -> String {
        let rate = Decimal::new(i64::from(bp), 2).normalize().to_string();
        if self.german {
            format!("{} %", rate.replace('.', ","))
        } else {
            format!("{rate}%")
        }
    }

    fn date(&self, at: DateTime<Utc>) -> String {
        if self.german {
            at.format("%d.%m.%Y").to_string()
        } else {
            at.format("%-d %B %Y").to_string()
        }
    }
}

/// Draws onto the current page and starts new pages as lines run out.
struct Writer<'a> {
    surface: Surface<'a>,
    y: f32,
}

impl Writer<'_> {
    fn text(&mut self, x: f32, y: f32, text: &str, bold: bool, size: f32) {
        let face = if bold { &FACES.1 } else { &FACES.0 };
        self.surface.draw_text(
            Point::from_xy(x, y),
            face.font.clone(),
            size,
            &face.printable(text),
            false,
            TextDirection::LeftToRight,
        );
    }

    fn right(&mut self, x: f32, y: f32, text: &str, bold: bool, size: f32) {
        let face = if bold { &FACES.1 } else { &FACES.0 };
        let width = face.width(&face.printable(text), size);
        self.text(x - width, y, text, bold, size);
    }

    fn rule(&mut self, y: f32, width: f32) {
        let mut path = PathBuilder::new();
        path.move_to(LEFT, y);
        path.line_to(RIGHT, y);
        if let Some(path) = path.finish() {
            self.surface.set_fill(None);
            self.surface.set_stroke(Some(Stroke {
                paint: rgb::Color::new(120, 120, 120).into(),
                width,
                ..Default::default()
            }));
            self.surface.draw_path(&path);
            self.surface.set_stroke(None);
            self.surface.set_fill(Some(Fill::default()));
        }
    }
}

/// Splits `text` into lines no wider than `width` at `size` points.
fn wrap(text: &str, width: f32, size: f32) -> Vec<String> {
    let face = &FACES.0;
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if face.width(&candidate, size) <= width || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_owned()));
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

fn pdf_date(at: DateTime<Utc>) -> PdfDateTime {
    // Every component fits its narrower type by chrono's own ranges.
    let narrow = |v: u32| u8::try_from(v).unwrap_or(0);
    PdfDateTime::new(u16::try_from(at.year()).unwrap_or(2000))
        .month(narrow(at.month()))
        .day(narrow(at.day()))
        .hour(narrow(at.hour()))
        .minute(narrow(at.minute()))
        .second(narrow(at.second()))
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

/// Renders the invoice. The same snapshot always gives the same content.
pub fn render(s: &Snapshot) -> anyhow::Result<Vec<u8>> {
    let german = s.language == "de";
    let l = if german { &GERMAN } else { &ENGLISH };
    let locale = Locale {
        german,
        currency: s.currency.clone(),
    };
    let title = match s.kind {
        InvoiceKind::Invoice => l.invoice,
        InvoiceKind::Cancellation => l.cancellation,
    };
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A3_B)
        .finish()
        .map_err(|e| anyhow::anyhow!("PDF configuration: {e:?}"))?;
    let mut document = Document::new_with(SerializeSettings {
        configuration,
        ..Default::default()
    });
    document.set_metadata(
        Metadata::new()
            .title(format!("{title} {}", s.number))
            .authors(vec![s.seller.company_name.clone()])
            .language(s.language.clone())
            .creator("delivery".into())
            .creation_date(pdf_date(s.issued_at))
            .document_id(s.number.clone()),
    );

    let mut rows = s.items.iter().enumerate().peekable();
    let mut page_number = 0;
    let mut done = false;
    while !done {
        page_number += 1;
        let settings =
            PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| anyhow::anyhow!("page size"))?;
        let mut page = document.start_page_with(settings);
        done = draw_page(&mut page, s, l, &locale, title, page_number, &mut rows);
        page.finish();
    }
    document
        .finish()
        .map_err(|e| anyhow::anyhow!("PDF rendering failed: {e:?}"))
}

/// Draws one page: the header (or a short one after the first page), as
/// many item rows as fit, the totals after the last row if they fit too,
/// and the footer. True when the totals are on it (the invoice is complete).
fn draw_page<'s>(
    page: &mut krilla::page::Page<'_>,
    s: &'s Snapshot,
    l: &Labels,
    locale: &Locale,
    title: &str,
    page_number: usize,
    rows: &mut std::iter::Peekable<
        std::iter::Enumerate<std::slice::Iter<'s, super::domain::ItemSnapshot>>,
    >,
) -> bool {
    let totals_height = 13.0 * (2 * s.rates.len() + 3) as f32 + 40.0;
    {
        let mut w = Writer {
            surface: page.surface(),
            y: 0.0,
        };
        if page_number == 1 {
            header(&mut w, s, l, locale, title);
        } else {
            w.text(LEFT, 60.0, &format!("{title} {}", s.number), true, 11.0);
            w.y = 90.0;
        }
        table_head(&mut w, l);
        while let Some(&(i, item)) = rows.peek() {
            let lines = wrap(&item.title, 200.0, 9.0);
            let height = 13.0 * lines.len() as f32 + 4.0;
            // The last row goes with the totals onto one page.
            let needed = if i + 1 == s.items.len() {
                height + totals_height
            } else {
                height
            };
            if w.y + needed > BOTTOM {
                break;
            }
            w.text(LEFT, w.y, &(i + 1).to_string(), false, 9.0);
            for (n, line) in lines.iter().enumerate() {
                w.text(LEFT + 30.0, w.y + 13.0 * n as f32, line, false, 9.0);
            }
            w.right(LEFT + 290.0, w.y, &item.quantity.to_string(), false, 9.0);
            w.right(
                LEFT + 370.0,
                w.y,
                &locale.money(item.unit_price_minor),
                false,
                9.0,
            );
            w.right(
                LEFT + 415.0,
                w.y,
                &locale.rate(item.vat_rate_bp),
                false,
                9.0,
            );
            w.right(RIGHT, w.y, &locale.money(item.total_minor), false, 9.0);
            w.y += height;
            rows.next();
        }
        let complete = rows.peek().is_none() && w.y + totals_height <= BOTTOM;
        if complete {
            totals(&mut w, s, l, locale);
        }
        footer(&mut w, s, l, page_number);
        w.surface.finish();
        complete
    }
}

fn header(w: &mut Writer<'_>, s: &Snapshot, l: &Labels, locale: &Locale, title: &str) {
    w.text(LEFT, 60.0, &s.seller.company_name, true, 14.0);
    let mut y = 76.0;
    for line in s.seller.address.lines() {
        w.text(LEFT, y, line, false, 9.0);
        y += 12.0;
    }
    // The recipient, where a window envelope would show it.
    let a = &s.customer.address;
    let mut recipient: Vec<String> = Vec::new();
    recipient.extend(a.company.clone());
    recipient.push(a.name.clone().unwrap_or_else(|| s.customer.name.clone()));
    recipient.extend(a.street.clone());
    let city = [a.postal_code.as_deref(), a.city.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !city.is_empty() {
        recipient.push(city);
    }
    recipient.extend(a.country.clone());
    let mut y = 160.0;
    for line in &recipient {
        w.text(LEFT, y, line, false, 10.0);
        y += 13.0;
    }
    if let Some(vat_id) = &a.vat_id {
        w.text(
            LEFT,
            y + 4.0,
            &format!("{}: {vat_id}", l.customer_vat_id),
            false,
            9.0,
        );
    }

    let mut facts: Vec<(&str, String)> = vec![
        (l.number, s.number.clone()),
        (l.date, locale.date(s.issued_at)),
        (l.order, s.order_number.to_string()),
        (l.order_date, locale.date(s.order_date)),
    ];
    if let Some(paid_at) = s.paid_at {
        facts.push((l.supply_date, locale.date(paid_at)));
    }
    if let Some(original) = &s.original {
        facts.push((
            l.cancels,
            format!("{} ({})", original.number, locale.date(original.issued_at)),
        ));
    }
    let mut y = 160.0;
    for (label, value) in facts {
        w.text(340.0, y, label, false, 9.0);
        w.right(RIGHT, y, &value, true, 9.0);
        y += 13.0;
    }

    w.text(LEFT, 290.0, &format!("{title} {}", s.number), true, 16.0);
    w.y = 320.0;
}

fn table_head(w: &mut Writer<'_>, l: &Labels) {
    let y = w.y;
    w.text(LEFT, y, l.position, true, 9.0);
    w.text(LEFT + 30.0, y, l.item, true, 9.0);
    w.right(LEFT + 290.0, y, l.quantity, true, 9.0);
    w.right(LEFT + 370.0, y, l.unit_price, true, 9.0);
    w.right(LEFT + 415.0, y, l.vat, true, 9.0);
    w.right(RIGHT, y, l.total, true, 9.0);
    w.rule(y + 5.0, 0.6);
    w.y = y + 20.0;
}

fn totals(w: &mut Writer<'_>, s: &Snapshot, l: &Labels, locale: &Locale) {
    w.rule(w.y - 8.0, 0.6);
    let mut y = w.y + 6.0;
    let mut row = |w: &mut Writer<'_>, label: &str, value: i64, bold: bool| {
        w.text(300.0, y, label, bold, 9.0);
        w.right(RIGHT, y, &locale.money(value), bold, 9.0);
        y += 13.0;
    };
    for rate in &s.rates {
        let r = locale.rate(rate.vat_rate_bp);
        row(w, &format!("{} {r}", l.net), rate.net_minor, false);
        row(w, &format!("{} {r}", l.vat), rate.vat_minor, false);
    }
    row(w, l.total_net, s.net_minor, false);
    row(w, l.total_vat, s.vat_minor, false);
    row(w, l.total_gross, s.gross_minor, true);
    w.text(LEFT, y + 10.0, l.prices_gross, false, 8.0);
    w.y = y + 24.0;
}

fn footer(w: &mut Writer<'_>, s: &Snapshot, l: &Labels, page: usize) {
    w.rule(BOTTOM + 14.0, 0.4);
    let mut left: Vec<String> = s.seller.contact.lines().map(str::to_owned).collect();
    if let Some(vat_id) = &s.seller.vat_id {
        left.push(format!("{}: {vat_id}", l.vat_id));
    }
    if let Some(tax_number) = &s.seller.tax_number {
        left.push(format!("{}: {tax_number}", l.tax_number));
    }
    let mut y = BOTTOM + 30.0;
    for line in left.iter().take(6) {
        w.text(LEFT, y, line, false, 7.5);
        y += 10.0;
    }
    let mut y = BOTTOM + 30.0;
    for line in s.seller.bank_details.lines().take(6) {
        w.text(320.0, y, line, false, 7.5);
        y += 10.0;
    }
    let mut y = BOTTOM + 95.0;
    for line in s
        .seller
        .footer
        .lines()
        .flat_map(|line| wrap(line, RIGHT - LEFT, 7.5))
        .take(4)
    {
        w.text(LEFT, y, &line, false, 7.5);
        y += 10.0;
    }
    w.right(
        RIGHT,
        PAGE_H - 24.0,
        &format!("{} {page}", l.page),
        false,
        7.5,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invoices::domain::{
        CustomerSnapshot, ItemSnapshot, SellerSnapshot, lines_and_totals,
    };
    use chrono::TimeZone;

    fn snapshot(items: usize) -> Snapshot {
        let lines = (0..items).map(|i| {
            (
                format!("SKU-{i}"),
                format!("Hörbuch Nummer {i} – eine sehr lange Beschreibung, die umbrechen muss, weil sie nicht passt"),
                1 + (i as i32 % 3),
                1999,
                if i % 2 == 0 { 1900 } else { 700 },
            )
        });
        let (items, rates): (Vec<ItemSnapshot>, _) = lines_and_totals(InvoiceKind::Invoice, lines);
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap();
        Snapshot {
            kind: InvoiceKind::Invoice,
            number: "RE-2026-00001".into(),
            issued_at: at,
            language: "de".into(),
            currency: "EUR".into(),
            seller: SellerSnapshot {
                company_name: "Hörbuch Verlag GmbH".into(),
                address: "Lindenstraße 7\n04109 Leipzig".into(),
                vat_id: Some("DE123456789".into()),
                tax_number: None,
                contact: "info@example.com".into(),
                bank_details: "IBAN DE02 1203 0000 0000 2020 51".into(),
                footer: "Amtsgericht Leipzig".into(),
            },
            customer: CustomerSnapshot {
                name: "Jörg Müller".into(),
                email: "joerg@example.com".into(),
                address: Default::default(),
            },
            order_number: 7,
            order_date: at,
            paid_at: Some(at),
            original: None,
            net_minor: rates
                .iter()
                .map(|r: &crate::invoices::domain::RateSnapshot| r.net_minor)
                .sum(),
            vat_minor: rates.iter().map(|r| r.vat_minor).sum(),
            gross_minor: rates.iter().map(|r| r.gross_minor).sum(),
            items,
            rates,
        }
    }

    #[test]
    fn many_items_continue_on_further_pages_and_rendering_is_repeatable() {
        let snapshot = snapshot(60);
        let pdf = render(&snapshot).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        if let Ok(path) = std::env::var("DELIVERY_DUMP_INVOICE_PDF") {
            std::fs::write(path, &pdf).unwrap();
        }
        let text = String::from_utf8_lossy(&pdf);
        let pages: usize = text
            .split("/Count ")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(
            pages >= 3,
            "60 wrapped rows need several pages, got {pages}"
        );
        assert_eq!(render(&snapshot).unwrap(), pdf, "same snapshot, same bytes");
    }

    #[test]
    fn money_is_written_as_the_language_writes_it() {
        let de = Locale {
            german: true,
            currency: "EUR".into(),
        };
        let en = Locale {
            german: false,
            currency: "EUR".into(),
        };
        assert_eq!(de.money(12_345_678), "123.456,78 €");
        assert_eq!(en.money(12_345_678), "€123,456.78");
        assert_eq!(de.money(-5), "-0,05 €");
        assert_eq!(de.rate(1900), "19 %");
        assert_eq!(de.rate(750), "7,5 %");
        assert_eq!(en.rate(700), "7%");
    }

    #[test]
    fn long_titles_wrap_and_unprintable_characters_become_question_marks() {
        let lines = wrap(&"Übungsbuch ".repeat(20), 200.0, 9.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| FACES.0.width(l, 9.0) <= 200.0));
        assert_eq!(FACES.0.printable("Jörg 王\u{E000}"), "Jörg ??");
    }
}
