#!/usr/bin/env node
// The `keygate` executable as installed: present before the build (so package managers can link
// it at install time), it runs the built CLI.
import '../dist/bin.js';
