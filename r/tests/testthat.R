library(testthat)
library(minerva)
test_check("minerva")
