//! Links every program with `user/link.ld` when built for the bare-metal
//! target (the Makefile's `user` target does that).

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    if std::env::var("TARGET").unwrap_or_default() == "x86_64-unknown-none" {
        println!("cargo:rustc-link-arg-bins=-T{manifest_dir}/../link.ld");
    }
    println!("cargo:rerun-if-changed=../link.ld");
    println!("cargo:rerun-if-changed=build.rs");
}
