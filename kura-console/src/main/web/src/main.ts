document.getElementById('app')!.textContent = 'Kura';
