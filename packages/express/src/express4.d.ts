// Types for Express 4, installed under the alias `express4` for the tests that run on both major
// versions: as far as those tests use it, its API is that of the current version.
declare module 'express4' {
  import express from 'express';
  export default express;
}
