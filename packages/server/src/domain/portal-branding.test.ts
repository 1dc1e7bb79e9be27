import assert from 'node:assert/strict';
import { test } from 'node:test';
import { portalBrandingProblem } from './portal-branding.js';

const good = { name: 'Acme Payments', logoUrl: 'https://cdn.acme.example/logo.svg', accentColor: '#0a7c59' };

test('portal branding takes a plain name, an https logo and a hex colour', () => {
  assert.equal(portalBrandingProblem(good), null);
  assert.equal(portalBrandingProblem({ name: 'Acme', logoUrl: null, accentColor: '#08F' }), null);
});

test('portal branding refuses what could break out of CSS, HTML or the CSP', () => {
  for (const accentColor of ['red', '#0a7c59;background:url(x)', '#12345', 'expression(alert(1))', '#0a7c59 ']) {
    assert.match(portalBrandingProblem({ ...good, accentColor }) ?? '', /accentColor/, accentColor);
  }
  for (const logoUrl of [
    'http://acme.example/logo.png',
    'javascript:alert(1)',
    'data:image/png;base64,AA',
    'https://u:p@x.example/a',
  ]) {
    assert.match(portalBrandingProblem({ ...good, logoUrl }) ?? '', /logoUrl/, logoUrl);
  }
  assert.match(portalBrandingProblem({ ...good, name: ' ' }) ?? '', /name/);
  assert.match(portalBrandingProblem({ ...good, name: 'a\nb' }) ?? '', /name/);
});
