// Compiled only so that conclab_test_pch has a translation unit to build its precompiled header from.
