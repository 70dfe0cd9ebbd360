// Types for the second major versions installed under aliases: their APIs, as far as these tests
// use them, are those of the current versions.
declare module 'express4' {
  import express from 'express';
  export default express;
}

declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}
