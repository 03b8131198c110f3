import { useEffect, useState } from 'react';
import { ABOUT_REQUEST } from './about-request';
import { AboutDialog } from './AboutDialog';

/** The header's About button; the dialog also opens when the native menu asks for it. */
export function AboutButton() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const show = () => setOpen(true);
    window.addEventListener(ABOUT_REQUEST, show);
    return () => window.removeEventListener(ABOUT_REQUEST, show);
  }, []);
  return (
    <>
      <button
        type="button"
        className="tool-button about-button"
        data-testid="about-open"
        title="About Push Lab: version and licenses"
        onClick={() => setOpen(true)}
      >
        About
      </button>
      {open && <AboutDialog onClose={() => setOpen(false)} />}
    </>
  );
}
