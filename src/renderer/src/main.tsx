import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createClient } from './bridge';
import { createLabStore, LabProvider } from './store';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element.');

// One client and store for the page's life; closing the page closes the connection.
const store = createLabStore(createClient());

createRoot(container).render(
  <StrictMode>
    <LabProvider store={store}>
      <App />
    </LabProvider>
  </StrictMode>,
);
