//! Compiles the C shim behind `util::longdouble` and `util::numbers`: Redis does
//! INCRBYFLOAT in C `long double` and parses floats with libc's `strtod`/`strtold`,
//! which Rust cannot express, so those few operations are done in C.

fn main() {
    println!("cargo:rerun-if-changed=src/util/longdouble.c");
    cc::Build::new()
        .file("src/util/longdouble.c")
        .compile("rrlongdouble");
}
