//! Fetches the GraphQL playground's assets (GraphiQL, React, ReactDOM) as
//! pinned npm packages, checks their integrity, and unpacks the few files
//! the playground serves into OUT_DIR, where `include_bytes!` embeds them.
//! Nothing of them is committed to the repository.
//!
//! Needs `npm` and the npm registry once per clean build. Without them the
//! build still succeeds and `/graphql` serves a page saying how to get the
//! assets. `FACTLINE_NPM_TARBALLS=DIR` uses tarballs already in DIR instead
//! (for offline builds: `npm pack graphiql@3.8.3 react@18.3.1 react-dom@18.3.1`).

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use sha2::{Digest, Sha512};

struct Package {
    spec: &'static str,
    tarball: &'static str,
    integrity: &'static str,
    files: &'static [(&'static str, &'static str)],
}

const PACKAGES: &[Package] = &[
    Package {
        spec: "graphiql@3.8.3",
        tarball: "graphiql-3.8.3.tgz",
        integrity: "sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw==",
        files: &[
            ("package/graphiql.min.js", "graphiql.min.js"),
            ("package/graphiql.min.css", "graphiql.min.css"),
        ],
    },
    Package {
        spec: "react@18.3.1",
        tarball: "react-18.3.1.tgz",
        integrity: "sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ==",
        files: &[(
            "package/umd/react.production.min.js",
            "react.production.min.js",
        )],
    },
    Package {
        spec: "react-dom@18.3.1",
        tarball: "react-dom-18.3.1.tgz",
        integrity: "sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==",
        files: &[(
            "package/umd/react-dom.production.min.js",
            "react-dom.production.min.js",
        )],
    },
];

const ASSETS: [&str; 4] = [
    "graphiql.min.js",
    "graphiql.min.css",
    "react.production.min.js",
    "react-dom.production.min.js",
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=FACTLINE_NPM_TARBALLS");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let assets = out.join("playground");
    fs::create_dir_all(&assets).expect("create OUT_DIR/playground");
    let available = ASSETS.iter().all(|a| assets.join(a).exists()) || fetch(&out, &assets);
    if !available {
        println!(
            "cargo:warning=GraphQL playground assets unavailable (npm or its registry unreachable); \
             /graphql will explain how to get them"
        );
        for a in ASSETS {
            fs::write(assets.join(a), b"").expect("write placeholder");
        }
    }
    fs::write(
        out.join("playground_available.rs"),
        format!("pub const AVAILABLE: bool = {available};\n"),
    )
    .expect("write flag");
}

fn fetch(out: &Path, assets: &Path) -> bool {
    let dir = match std::env::var_os("FACTLINE_NPM_TARBALLS") {
        Some(d) => PathBuf::from(d),
        None => {
            let dir = out.join("npm");
            fs::create_dir_all(&dir).expect("create OUT_DIR/npm");
            let missing: Vec<&str> = PACKAGES
                .iter()
                .filter(|p| !dir.join(p.tarball).exists())
                .map(|p| p.spec)
                .collect();
            if !missing.is_empty() {
                let ok = Command::new("npm")
                    .arg("pack")
                    .args(&missing)
                    .arg("--pack-destination")
                    .arg(&dir)
                    .arg("--silent")
                    .current_dir(&dir)
                    .status()
                    .is_ok_and(|s| s.success());
                if !ok {
                    return false;
                }
            }
            dir
        }
    };
    for p in PACKAGES {
        let Ok(bytes) = fs::read(dir.join(p.tarball)) else {
            return false;
        };
        let digest = base64::engine::general_purpose::STANDARD.encode(Sha512::digest(&bytes));
        if format!("sha512-{digest}") != p.integrity {
            println!(
                "cargo:warning={} does not match its pinned integrity; not used",
                p.tarball
            );
            return false;
        }
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
        let Ok(entries) = archive.entries() else {
            return false;
        };
        for entry in entries.flatten() {
            let mut entry = entry;
            let Ok(path) = entry.path().map(|p| p.to_string_lossy().into_owned()) else {
                continue;
            };
            if let Some((_, name)) = p.files.iter().find(|(from, _)| *from == path) {
                let mut data = Vec::new();
                if entry.read_to_end(&mut data).is_err() {
                    return false;
                }
                fs::write(assets.join(name), data).expect("write asset");
            }
        }
    }
    ASSETS.iter().all(|a| assets.join(a).exists())
}
