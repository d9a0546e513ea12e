import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { startI18n } from './i18n';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('Harbour: the page has no #root element');
const root = container;

// The first paint is already in the school's language: no English flash on a Welsh screen.
void startI18n().then(() => {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
});
