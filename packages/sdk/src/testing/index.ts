/** Helpers for users' own tests: requests signed the way each provider signs them. */
export { type SignedTestRequest, type SignTestRequestOptions, signTestRequest } from './sign-test-request.js';
