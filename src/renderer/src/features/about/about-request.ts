/** A window event asking for the About dialog; the Electron menu's About item sends it. */
export const ABOUT_REQUEST = 'push-lab:about';

export function requestAbout(): void {
  window.dispatchEvent(new CustomEvent(ABOUT_REQUEST));
}
