//! Links the kernel with `linker.ld` when it is built for the bare-metal
//! target. Host tools (clippy on the host, `cargo doc`) skip it.
//!
//! Also decides where the user programs come from. Up to Rank VI they are
//! embedded in the kernel image (`cfg(embedded_programs)`, one
//! `include_bytes!` each); from Rank VII on the kernel holds none and reads
//! them from the vault, so a checkpoint-7 kernel does not even depend on
//! `build/user/` — which is exactly what achievement 059 checks.

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let target = std::env::var("TARGET").unwrap_or_default();
    if target == "x86_64-unknown-none" {
        println!("cargo:rustc-link-arg-bins=-T{manifest_dir}/linker.ld");
    }
    println!("cargo::rustc-check-cfg=cfg(embedded_programs)");
    let rank: u8 = std::env::var("MINIMALOS_RANK").ok().and_then(|r| r.parse().ok()).unwrap_or(u8::MAX);
    if rank < 7 {
        println!("cargo:rustc-cfg=embedded_programs");
    }
    println!("cargo:rerun-if-env-changed=MINIMALOS_RANK");
    println!("cargo:rerun-if-changed=linker.ld");
    println!("cargo:rerun-if-changed=build.rs");
}
