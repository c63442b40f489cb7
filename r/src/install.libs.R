# R CMD INSTALL runs this in src/ after compiling, in place of its default copy of minerva.so:
# it installs minerva.so and the copy of libminerva that ../configure put here, under the
# soname minerva.so asks the loader for (found through minerva.so's $ORIGIN rpath).
dest <- file.path(R_PACKAGE_DIR, paste0("libs", R_ARCH))
dir.create(dest, recursive = TRUE, showWarnings = FALSE)
files <- c(paste0("minerva", SHLIB_EXT), readLines("libminerva.soname"))
if (file.exists("symbols.rds")) files <- c(files, "symbols.rds")  # read by R CMD check
copied <- file.copy(files, dest, overwrite = TRUE)
if (!all(copied)) stop("could not install ", paste(files[!copied], collapse = ", "), " into ", dest)
