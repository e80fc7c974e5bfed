//! The `delivery` command: server, migrations, OpenAPI document, admin tasks.

use anyhow::Context;
use clap::{Parser, Subcommand};
use delivery::auth::domain::{Email, Password, parse_shop_name};
use delivery::auth::{models, password};
use delivery::config::Settings;
use delivery::db::Db;
use delivery::{Application, telemetry};

/// jemalloc instead of glibc's malloc: under 64 connections glibc's
/// per-thread arenas held about 40 MB more for the same work (bench A/B in
/// BENCHMARKS.md). Its options are compiled in from `.cargo/config.toml`;
/// `_RJEM_MALLOC_CONF` overrides them at start.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(name = "delivery", version, about = "Digital product delivery server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (migrates the database first).
    Serve {
        /// Address to listen on; default from DELIVERY_BIND or 127.0.0.1:8080.
        #[arg(long)]
        bind: Option<String>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document as YAML.
    Openapi,
    /// On an empty database: create a demo shop (sample file, article, paid
    /// order) and print how to sign in and the order's portal link.
    Demo,
    /// Create a shop with its owner account.
    CreateSeller {
        /// The shop's name.
        #[arg(long)]
        shop_name: String,
        /// The owner's email.
        #[arg(long)]
        email: String,
        /// The owner's password (at least 10 characters); read from
        /// DELIVERY_SELLER_PASSWORD when not given.
        #[arg(long, env = "DELIVERY_SELLER_PASSWORD", hide_env_values = true)]
        password: String,
        /// Do nothing (and succeed) when the email already has an account.
        #[arg(long)]
        if_missing: bool,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        print!("{}", delivery::openapi::yaml()?);
        return Ok(());
    }
    let settings = Settings::load()?;
    telemetry::init(settings.log_format);
    match cli.command {
        Command::Serve { bind } => serve(settings, bind),
        Command::Migrate => {
            Db::connect(&settings)?.migrate()?;
            println!("migrations applied");
            Ok(())
        }
        Command::CreateSeller {
            shop_name,
            email,
            password,
            if_missing,
        } => create_seller(&settings, &shop_name, &email, password, if_missing),
        Command::Demo => demo(&settings),
        Command::Openapi => Ok(()),
    }
}

fn serve(settings: Settings, bind: Option<String>) -> anyhow::Result<()> {
    let bind = bind.unwrap_or_else(|| settings.bind.clone());
    let public = settings.public_base().to_owned();
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings, &bind)?;
        tracing::info!(
            port = app.port(),
            "listening on {bind}; open {public}/ (API docs at {public}/api/docs/)"
        );
        app.run_until_stopped().await.context("server failed")
    })
}

fn demo(settings: &Settings) -> anyhow::Result<()> {
    let base = settings.public_base();
    use delivery::demo::NoDemo;
    match delivery::demo::create_if_empty(settings)? {
        Ok(demo) => {
            println!();
            println!("  Demo shop created. Open {base}/ and sign in as");
            println!(
                "    {}  /  {}   (the password is shown only now)",
                demo.email, demo.password
            );
            println!("  The demo order's customer page: {}", demo.portal_url);
            println!("  Put more files into {}", demo.folder.display());
        }
        Err(NoDemo::NotEmpty) => println!(
            "  Open {base}/ and sign in with your account (the database already has shops; no demo created)."
        ),
        Err(NoDemo::SwitchedOff) => println!("  Open {base}/ (the demo is switched off)."),
        Err(NoDemo::Production) => println!(
            "  Open {base}/ (the public URL is https, a production setup: no demo login is created)."
        ),
    }
    println!("  API docs: {base}/api/docs/");
    println!();
    Ok(())
}

fn create_seller(
    settings: &Settings,
    shop_name: &str,
    email: &str,
    password_text: String,
    if_missing: bool,
) -> anyhow::Result<()> {
    let shop_name = parse_shop_name(shop_name).map_err(|e| anyhow::anyhow!("shop name {e}"))?;
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("email {e}"))?;
    let password_text =
        Password::parse(password_text).map_err(|e| anyhow::anyhow!("password {e}"))?;
    let db = Db::connect(settings)?;
    db.migrate()?;
    let mut conn = db.write_blocking()?;
    if models::find_user_by_email(&mut conn, email.as_str())
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .is_some()
    {
        if if_missing {
            println!("{} already has an account", email.as_str());
            return Ok(());
        }
        anyhow::bail!("{} already has an account", email.as_str());
    }
    let hash = password::hash(password_text.expose())?;
    let (tenant, _) = models::create_shop_with_owner(&mut conn, shop_name.as_str(), &email, hash)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let local = delivery::storage::routes::create_default_local_connection(&mut conn, &tenant.id)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let folder = delivery::storage::local::storage_base(&settings.data_dir).join(
        delivery::storage::local::relative_root(&tenant.id, &local.root_prefix),
    );
    std::fs::create_dir_all(&folder)?;
    println!(
        "created shop \"{}\" ({}) with owner {}",
        tenant.name,
        tenant.id,
        email.as_str()
    );
    println!("put files for it into {}", folder.display());
    Ok(())
}
