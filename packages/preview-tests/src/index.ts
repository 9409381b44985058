// @pr-pod/preview-tests
export {};
