import { useEffect, useRef, useState } from 'react';
import type licensesList from 'virtual:third-party-licenses';
import { selectActions, useLab } from '../../store';
import './about.css';

type Licenses = typeof licensesList;

/**
 * Push Lab's version (from the lab, over the contract: the same answer in Electron and the
 * browser) and the third-party packages it ships with their licenses. The list is its own
 * chunk, loaded when the dialog opens; the build also ships it as third-party-licenses.txt.
 */
export function AboutDialog({ onClose }: { onClose: () => void }) {
  const { call } = useLab(selectActions);
  const ref = useRef<HTMLDialogElement>(null);
  const [version, setVersion] = useState<string | null>(null);
  const [licenses, setLicenses] = useState<Licenses | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    // A modal dialog: focus moves in, Escape closes it, the page behind is inert.
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  useEffect(() => {
    let live = true;
    void call({ type: 'info' }).then((result) => {
      if (!live) return;
      if (result.ok) setVersion(result.value.version);
      else setProblem(`The version could not be read: ${result.error.message}`);
    });
    import('virtual:third-party-licenses').then(
      (m) => live && setLicenses(m.default),
      (error: unknown) =>
        live && setProblem(`The licenses could not be loaded: ${(error as Error).message}`),
    );
    return () => {
      live = false;
    };
  }, [call]);

  return (
    <dialog
      ref={ref}
      className="about-dialog"
      data-testid="about-dialog"
      aria-labelledby="about-title"
      onClose={onClose}
    >
      <header className="about-head">
        <h2 id="about-title">Push Lab</h2>
        <span className="about-version" data-testid="about-version">
          {version === null ? 'version …' : `version ${version}`}
        </span>
      </header>
      <p>
        A lab for Web Push over HTTP/2: a real RFC 8030 push service, simulated user agents,
        gateways and application servers, and flaky networks between them. MIT License.
      </p>
      {problem && <p className="about-problem">{problem}</p>}
      <h3>Third-party software</h3>
      <p className="about-note">
        Push Lab is built with these packages; each keeps its own license (the text is beside the
        app as third-party-licenses.txt). The desktop app&apos;s Electron runtime carries its own
        LICENSE and LICENSES.chromium.html.
      </p>
      <div className="about-licenses" data-testid="about-licenses">
        {licenses === null ? (
          <p className="about-note">Loading…</p>
        ) : (
          <ul>
            {licenses.map((l) => (
              <li key={`${l.name}@${l.version}`}>
                <details>
                  <summary>
                    <span className="about-package">{l.name}</span> {l.version}{' '}
                    <span className="about-license">{l.license}</span>
                  </summary>
                  <pre>{l.text ?? 'No license file in the package; see its license field.'}</pre>
                </details>
              </li>
            ))}
          </ul>
        )}
      </div>
      <form method="dialog" className="about-actions">
        <button type="submit" className="tool-button" data-testid="about-close" autoFocus>
          Close
        </button>
      </form>
    </dialog>
  );
}
