import { StatusPanel } from './status-panel';

export default function HomePage() {
  return (
    <main>
      <h1>ganmod</h1>
      <p>Train GANs on image sets; moderate what people post.</p>
      <StatusPanel />
    </main>
  );
}
