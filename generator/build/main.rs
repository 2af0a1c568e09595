//! Sets `GENERATOR_FINGERPRINT`: the hash of what the generator's output
//! can depend on (see `fingerprint.rs`).

mod fingerprint;

fn main() {
    let root =
        std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let (hash, read) = fingerprint::fingerprint(&root);
    for path in read {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    println!("cargo:rustc-env=GENERATOR_FINGERPRINT={hash}");
}
