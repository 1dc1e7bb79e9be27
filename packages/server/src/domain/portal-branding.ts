/**
 * An app's portal branding: the name, logo and accent colour its customers see instead of hookd's. Every value ends up
 * in HTML, a CSS rule or the CSP, so each is held to a strict form, not escaped after the fact.
 */

export interface PortalBranding {
  /** Shown in the portal's header and page titles. */
  name: string;
  /** An https image URL; its origin is allowed as an image source on portal pages. */
  logoUrl: string | null;
  /** `#rrggbb` or `#rgb`. */
  accentColor: string | null;
}

export const MAX_BRAND_NAME_LENGTH = 80;
export const ACCENT_COLOR_PATTERN = '^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$';

/** What is wrong with the branding, or null when every field has its strict form. */
export function portalBrandingProblem(branding: PortalBranding): string | null {
  const { name, logoUrl, accentColor } = branding;
  const printable = [...name].every((c) => (c.codePointAt(0) ?? 0) >= 0x20 && c !== '\u007f');
  if (name.trim().length === 0 || name.length > MAX_BRAND_NAME_LENGTH || !printable) {
    return `name must be 1 to ${MAX_BRAND_NAME_LENGTH} printable characters`;
  }
  if (accentColor !== null && !new RegExp(ACCENT_COLOR_PATTERN).test(accentColor)) {
    return 'accentColor must be a hex colour such as #0a7c59 or #08f';
  }
  if (logoUrl !== null) {
    const url = URL.canParse(logoUrl) ? new URL(logoUrl) : null;
    if (url?.protocol !== 'https:' || url.username || url.password || logoUrl.length > 2048) {
      return 'logoUrl must be an https URL (without credentials), at most 2048 characters';
    }
  }
  return null;
}
