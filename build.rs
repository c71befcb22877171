//! Fails early, with the fix, when the PHP or clang toolchain is missing, and
//! records which PHP this build is for so `phpinfo()`, `spectrocoin_info()`
//! and the WHMCS module can say it.

use std::env;
use std::path::Path;
use std::process::Command;

fn run(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn fail(msg: &str) -> ! {
    eprintln!("\nspectrocoin build: {msg}\n");
    std::process::exit(1);
}

fn libclang_present() -> bool {
    if let Ok(dir) = env::var("LIBCLANG_PATH") {
        return Path::new(&dir).exists();
    }
    let roots = [
        "/usr/lib",
        "/usr/lib64",
        "/usr/local/lib",
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
    ];
    let found_in = |dir: &Path| {
        std::fs::read_dir(dir)
            .map(|rd| {
                rd.flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with("libclang"))
            })
            .unwrap_or(false)
    };
    roots.iter().any(|r| {
        let root = Path::new(r);
        found_in(root)
            || std::fs::read_dir(root)
                .map(|rd| {
                    rd.flatten()
                        .filter(|e| e.file_name().to_string_lossy().starts_with("llvm"))
                        .any(|e| found_in(&e.path().join("lib")))
                })
                .unwrap_or(false)
    })
}

fn main() {
    println!("cargo:rerun-if-env-changed=PHP");
    println!("cargo:rerun-if-env-changed=PHP_CONFIG");
    println!("cargo:rerun-if-env-changed=LIBCLANG_PATH");
    println!("cargo:rerun-if-changed=build.rs");
    if env::var_os("CARGO_FEATURE_PHP").is_none() {
        return; // the pure protocol core needs no PHP
    }

    let php_config = env::var("PHP_CONFIG").unwrap_or_else(|_| "php-config".to_owned());
    let php = env::var("PHP").unwrap_or_else(|_| "php".to_owned());
    let version = run(&php_config, &["--version"]).unwrap_or_else(|| {
        fail(&format!(
            "`{php_config}` was not found. Install the PHP development files \
             (Debian/Ubuntu: apt-get install php8.2-dev) or set PHP_CONFIG=/path/to/php-config."
        ))
    });
    let api = run(&php_config, &["--phpapi"]).unwrap_or_else(|| "unknown".to_owned());
    let zts = run(&php, &["-n", "-r", "echo PHP_ZTS ? 'ZTS' : 'NTS';"]).unwrap_or_else(|| {
        fail(&format!(
            "`{php}` (the PHP CLI) was not found. Install it (apt-get install php8.2-cli) or set PHP=/path/to/php."
        ))
    });
    if !libclang_present() {
        fail("libclang was not found; bindgen needs it. Install it (apt-get install libclang-dev clang) or set LIBCLANG_PATH.");
    }
    println!("cargo:rustc-env=SPECTROCOIN_PHP_VERSION={version}");
    println!("cargo:rustc-env=SPECTROCOIN_PHP_API={api}");
    println!("cargo:rustc-env=SPECTROCOIN_PHP_THREADING={zts}");
}
