#!/usr/bin/env node
// The `hookd` command. It lives outside dist/ so npm links it at install time, before the build has run.
import '../dist/cli/main.js';
