//! The portable schema: only types both backends share (Text, BigInt,
//! Integer, Bool, Timestamp in UTC). Ids are UUID text.

diesel::table! {
    tenants (id) {
        id -> Text,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        tenant_id -> Text,
        email -> Text,
        password_hash -> Text,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        tenant_id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Text,
        tenant_id -> Text,
        name -> Text,
        prefix -> Text,
        secret_hash -> Text,
        scope -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    storage_connections (id) {
        id -> Text,
        tenant_id -> Text,
        name -> Text,
        kind -> Text,
        endpoint -> Nullable<Text>,
        region -> Nullable<Text>,
        bucket -> Nullable<Text>,
        root_prefix -> Text,
        path_style -> Bool,
        credentials_sealed -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_checked_at -> Nullable<Timestamp>,
        last_check_error -> Nullable<Text>,
    }
}

diesel::table! {
    articles (id) {
        id -> Text,
        tenant_id -> Text,
        sku -> Text,
        title -> Text,
        description -> Text,
        price_minor -> BigInt,
        currency -> Text,
        vat_rate_bp -> Integer,
        active -> Bool,
        download_limit -> Nullable<Integer>,
        validity_days -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    article_files (id) {
        id -> Text,
        tenant_id -> Text,
        article_id -> Text,
        connection_id -> Text,
        object_key -> Text,
        display_name -> Text,
        size -> BigInt,
        content_type -> Nullable<Text>,
        etag -> Nullable<Text>,
        position -> Integer,
        missing -> Bool,
        checked_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    portal_settings (tenant_id) {
        tenant_id -> Text,
        enabled -> Bool,
        title -> Text,
        logo_url -> Nullable<Text>,
        accent_color -> Text,
        welcome_text -> Text,
        footer_text -> Text,
        default_download_limit -> Nullable<Integer>,
        validity_days -> Nullable<Integer>,
        invoice_download -> Bool,
        contact_form -> Bool,
        support_email -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    order_counters (tenant_id) {
        tenant_id -> Text,
        next_number -> BigInt,
    }
}

diesel::table! {
    orders (id) {
        id -> Text,
        tenant_id -> Text,
        number -> BigInt,
        channel -> Text,
        external_ref -> Nullable<Text>,
        customer_name -> Text,
        customer_email -> Text,
        customer_language -> Text,
        billing_address -> Text,
        currency -> Text,
        total_net_minor -> BigInt,
        total_vat_minor -> BigInt,
        total_gross_minor -> BigInt,
        status -> Text,
        paid_at -> Nullable<Timestamp>,
        portal_code -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    order_items (id) {
        id -> Text,
        tenant_id -> Text,
        order_id -> Text,
        article_id -> Nullable<Text>,
        position -> Integer,
        sku -> Text,
        title -> Text,
        quantity -> Integer,
        unit_price_minor -> BigInt,
        vat_rate_bp -> Integer,
    }
}

diesel::table! {
    download_grants (id) {
        id -> Text,
        tenant_id -> Text,
        order_id -> Text,
        order_item_id -> Text,
        article_file_id -> Text,
        connection_id -> Text,
        object_key -> Text,
        display_name -> Text,
        size -> BigInt,
        content_type -> Nullable<Text>,
        position -> Integer,
        max_downloads -> Nullable<Integer>,
        used_downloads -> Integer,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    history_events (id) {
        id -> Text,
        tenant_id -> Text,
        order_id -> Text,
        kind -> Text,
        actor -> Text,
        grant_id -> Nullable<Text>,
        details -> Text,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (tenant_id, key) {
        tenant_id -> Text,
        key -> Text,
        request_hash -> Text,
        status -> Integer,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    templates (id) {
        id -> Text,
        tenant_id -> Text,
        name -> Text,
        language -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    rules (id) {
        id -> Text,
        tenant_id -> Text,
        name -> Text,
        trigger_kind -> Text,
        trigger_status -> Nullable<Text>,
        template_name -> Text,
        only_digital -> Bool,
        channels -> Nullable<Text>,
        language -> Nullable<Text>,
        min_total_minor -> Nullable<BigInt>,
        enabled -> Bool,
        repeatable -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        action -> Text,
    }
}

diesel::table! {
    sales_channels (id) {
        id -> Text,
        tenant_id -> Text,
        name -> Text,
        webhook_url -> Text,
        secret_sealed -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    rule_firings (rule_id, order_id) {
        rule_id -> Text,
        order_id -> Text,
    }
}

diesel::table! {
    outbox_messages (id) {
        id -> Text,
        tenant_id -> Text,
        order_id -> Nullable<Text>,
        rule_id -> Nullable<Text>,
        kind -> Text,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Nullable<Text>,
        message_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(users -> tenants (tenant_id));
diesel::joinable!(storage_connections -> tenants (tenant_id));
diesel::joinable!(articles -> tenants (tenant_id));
diesel::joinable!(article_files -> articles (article_id));
diesel::joinable!(article_files -> storage_connections (connection_id));
diesel::table! {
    invoice_settings (tenant_id) {
        tenant_id -> Text,
        company_name -> Text,
        address -> Text,
        vat_id -> Nullable<Text>,
        tax_number -> Nullable<Text>,
        contact -> Text,
        bank_details -> Text,
        footer -> Text,
        number_prefix -> Text,
        number_with_year -> Bool,
        number_digits -> Integer,
        issue_mode -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    invoice_counters (tenant_id, series) {
        tenant_id -> Text,
        series -> Text,
        last_number -> BigInt,
    }
}

diesel::table! {
    invoices (id) {
        id -> Text,
        tenant_id -> Text,
        order_id -> Text,
        kind -> Text,
        number -> Text,
        series -> Text,
        sequence -> BigInt,
        original_id -> Nullable<Text>,
        language -> Text,
        currency -> Text,
        total_net_minor -> BigInt,
        total_vat_minor -> BigInt,
        total_gross_minor -> BigInt,
        snapshot -> Text,
        pdf -> Nullable<Binary>,
        issued_at -> Timestamp,
    }
}

diesel::joinable!(orders -> tenants (tenant_id));
diesel::joinable!(invoices -> orders (order_id));
diesel::joinable!(order_items -> orders (order_id));
diesel::joinable!(download_grants -> orders (order_id));
diesel::joinable!(history_events -> orders (order_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(api_keys -> tenants (tenant_id));

diesel::allow_tables_to_appear_in_same_query!(
    tenants,
    users,
    sessions,
    refresh_tokens,
    api_keys,
    storage_connections,
    articles,
    article_files,
    portal_settings,
    order_counters,
    orders,
    order_items,
    download_grants,
    history_events,
    idempotency_keys,
    templates,
    rules,
    rule_firings,
    outbox_messages,
    sales_channels,
    invoice_settings,
    invoice_counters,
    invoices,
);
